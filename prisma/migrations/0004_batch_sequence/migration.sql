-- Batch ids end in a number from this sequence: reserved before the payload (which names its batch id)
-- is built and signed. A number lost to a failed build leaves a gap, never a reuse.
CREATE SEQUENCE batch_seq;
