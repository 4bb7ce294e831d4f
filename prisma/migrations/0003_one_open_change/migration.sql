-- At most one change in progress per person: two concurrent edits of one record can never both be approved.
CREATE UNIQUE INDEX profile_change_one_open_per_person ON profile_change (personal_id)
  WHERE state NOT IN ('SYNCED', 'REJECTED_BY_NATIONAL');
