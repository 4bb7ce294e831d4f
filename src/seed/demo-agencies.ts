// The agency tree of the demo province: the provincial People's Committee, its departments and their
// units, and communes (the 2025 reform removed the district level). Codes follow NATIONAL_API.md §1.
export interface DemoAgency { code: string; name: string; parentCode: string | null }

const departments: Array<[string, string, string[]]> = [
  ['01', 'Văn phòng Ủy ban nhân dân tỉnh', ['Trung tâm Phục vụ hành chính công', 'Trung tâm Thông tin - Công báo']],
  ['02', 'Sở Tài chính', ['Phòng Quản lý ngân sách', 'Phòng Tài chính doanh nghiệp']],
  ['03', 'Sở Tư pháp', ['Trung tâm Trợ giúp pháp lý nhà nước', 'Phòng Công chứng số 1']],
  ['04', 'Sở Xây dựng', ['Trung tâm Kiểm định chất lượng xây dựng']],
  ['05', 'Sở Giáo dục và Đào tạo', ['Trường THPT Chuyên', 'Trường THPT Nguyễn Trãi', 'Trường THPT Lê Quý Đôn', 'Trường THPT Trần Phú', 'Trường THCS Chu Văn An']],
  ['06', 'Sở Y tế', ['Bệnh viện Đa khoa tỉnh', 'Bệnh viện Sản - Nhi', 'Trung tâm Kiểm soát bệnh tật', 'Bệnh viện Y dược cổ truyền']],
  ['07', 'Sở Nông nghiệp và Môi trường', ['Chi cục Kiểm lâm', 'Chi cục Thủy lợi', 'Trung tâm Khuyến nông']],
  ['08', 'Sở Công Thương', ['Trung tâm Khuyến công và Xúc tiến thương mại']],
  ['09', 'Sở Văn hóa, Thể thao và Du lịch', ['Bảo tàng tỉnh', 'Thư viện tỉnh', 'Trung tâm Huấn luyện và Thi đấu thể thao']],
  ['10', 'Sở Khoa học và Công nghệ', ['Trung tâm Chuyển đổi số']],
  ['11', 'Sở Dân tộc và Tôn giáo', []],
  ['12', 'Thanh tra tỉnh', []],
  ['19', 'Sở Nội vụ', ['Ban Thi đua - Khen thưởng', 'Chi cục Văn thư - Lưu trữ', 'Trung tâm Dịch vụ việc làm']],
];

const communes = ['Phường Đông Hưng', 'Phường Tây Sơn', 'Xã Hòa Bình', 'Xã Tân Lập', 'Xã Phú Mỹ', 'Xã Quang Trung', 'Xã Hưng Đạo', 'Xã Thanh Xuân',
  'Phường Bắc Sơn', 'Xã Lạc Long', 'Xã Yên Thế', 'Xã Minh Khai'];

export function demoAgencies(province: string): DemoAgency[] {
  const out: DemoAgency[] = [{ code: province, name: 'Ủy ban nhân dân tỉnh', parentCode: null }];
  for (const [code, name, units] of departments) {
    const dept = `${province}.${code}`;
    out.push({ code: dept, name, parentCode: province });
    units.forEach((u, i) => out.push({ code: `${dept}.${String(i + 1).padStart(2, '0')}`, name: u, parentCode: dept }));
  }
  // Communes sit under level-2 group 50+ of the province, each with a school and a health station.
  communes.forEach((name, i) => {
    const code = `${province}.${50 + i}`;
    out.push({ code, name: `Ủy ban nhân dân ${name}`, parentCode: province });
    out.push({ code: `${code}.01`, name: `Trường Tiểu học ${name.replace(/^(Xã|Phường) /, '')}`, parentCode: code });
    out.push({ code: `${code}.02`, name: `Trạm Y tế ${name.replace(/^(Xã|Phường) /, '')}`, parentCode: code });
  });
  return out;
}

/** The Sở Nội vụ code of the demo province (sender of batches). */
export const demoSenderCode = (province: string) => `${province}.19`;
