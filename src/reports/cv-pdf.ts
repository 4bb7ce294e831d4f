// The printable sơ yếu lý lịch (TT 06/2023/TT-BNV) of one record: A4, the national header, the items
// numbered in the order of the record's §6 fields, the history lists as tables, page numbers. Text is
// set in DejaVu Sans (the npm package dejavu-fonts-ttf; licence: Bitstream Vera / DejaVu, free to embed and
// redistribute), embedded as a subset, so that Vietnamese diacritics print and copy out as they are.
// Layout only: signing is cv-signature.ts's job.
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { vietnameseDate } from '../domain/calendar-date.ts';
import { localDate } from '../domain/working-days.ts';
import type { SoYeuLyLich } from '../domain/profile-schema.ts';
import { GIOI_TINH_LABELS, LOAI_DAO_TAO_LABELS, PHAN_LOAI_LABELS, TRANG_THAI_LABELS, labelOf } from '../domain/vietnamese-labels.ts';

export interface CvFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

export interface CvRecord {
  personalId: string;
  category: string;
  status: string;
  managingAgency: { code: string; name: string | null };
  employingAgency: { code: string; name: string | null };
  version: number;
  profile: SoYeuLyLich;
}

const A4 = { width: 595.28, height: 841.89 } as const;
const MARGIN = { left: 56, right: 42, top: 48, bottom: 56 } as const;
const SIZE = 10.5;
const LEADING = 14;


const d = (v: string | undefined) => (v === undefined ? '' : vietnameseDate(v));
const m = (v: string | undefined) => (v === undefined ? '' : `${v.slice(5, 7)}/${v.slice(0, 4)}`);
const n = (v: number | undefined) => (v === undefined ? '' : String(v).replace('.', ','));
const join = (...parts: Array<string | undefined>) => parts.filter((p) => p !== undefined && p !== '').join('; ');

// Measuring runs fontkit's full shaping each time (most of a CV's layout time): widths of words are
// kept per embedded font and a line's width is the sum of its words and spaces.
const wordWidths = new WeakMap<PDFFont, Map<string, number>>();

function unitWidth(font: PDFFont, text: string): number {
  let cache = wordWidths.get(font);
  if (!cache) wordWidths.set(font, (cache = new Map()));
  let w = cache.get(text);
  if (w === undefined) cache.set(text, (w = font.widthOfTextAtSize(text, 1)));
  return w;
}

/** Lines of `text` no wider than `width` at `size` (words kept whole unless one alone is too wide). */
export function wrapText(text: string, font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  const space = unitWidth(font, ' ') * size;
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const w = unitWidth(font, word) * size;
      if (line && lineWidth + space + w <= width) {
        line = `${line} ${word}`;
        lineWidth += space + w;
        continue;
      }
      if (!line && w <= width) {
        line = word;
        lineWidth = w;
        continue;
      }
      if (line) out.push(line);
      line = word;
      lineWidth = w;
      while (font.widthOfTextAtSize(line, size) > width && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut--;
        out.push(line.slice(0, cut));
        line = line.slice(cut);
        lineWidth = font.widthOfTextAtSize(line, size);
      }
    }
    out.push(line);
  }
  return out;
}

/** A cursor down A4 pages that starts a new page when the next block does not fit. */
class Layout {
  page!: PDFPage;
  y = 0;
  readonly width = A4.width - MARGIN.left - MARGIN.right;

  constructor(readonly doc: PDFDocument, readonly font: PDFFont, readonly bold: PDFFont) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage([A4.width, A4.height]);
    this.y = A4.height - MARGIN.top;
  }

  ensure(height: number): void {
    if (this.y - height < MARGIN.bottom) this.newPage();
  }

  text(text: string, o: { x?: number; size?: number; bold?: boolean; center?: boolean; width?: number } = {}): void {
    const font = o.bold ? this.bold : this.font;
    const size = o.size ?? SIZE;
    const width = o.width ?? this.width - (o.x ?? 0);
    for (const line of wrapText(text, font, size, width)) {
      this.ensure(LEADING);
      const x = o.center ? MARGIN.left + (this.width - font.widthOfTextAtSize(line, size)) / 2 : MARGIN.left + (o.x ?? 0);
      this.page.drawText(line, { x, y: this.y - size, size, font });
      this.y -= LEADING * (size / SIZE);
    }
  }

  /** "N. Label: value", the label in bold, the value wrapped under the same line. */
  item(no: number, label: string, value: string): void {
    const head = `${no}. ${label}: `;
    let headWidth = this.bold.widthOfTextAtSize(head, SIZE);
    this.ensure(LEADING);
    this.page.drawText(head, { x: MARGIN.left, y: this.y - SIZE, size: SIZE, font: this.bold });
    // A long label leaves the value too narrow a column: the value then goes under it, indented.
    if (headWidth > this.width * 0.55 && value) {
      this.y -= LEADING;
      headWidth = 16;
    }
    const lines = wrapText(value || '…', this.font, SIZE, this.width - headWidth);
    lines.forEach((line, i) => {
      if (i > 0) this.ensure(LEADING);
      this.page.drawText(line, { x: MARGIN.left + headWidth, y: this.y - SIZE, size: SIZE, font: this.font });
      this.y -= LEADING;
    });
  }

  gap(points = 6): void {
    this.y -= points;
  }

  /** A bordered table; its header is repeated on each page it runs onto. */
  table(no: number, title: string, columns: ReadonlyArray<{ header: string; share: number }>, rows: ReadonlyArray<readonly string[]>): void {
    this.gap(4);
    this.ensure(LEADING * 3);
    this.text(`${no}. ${title}`, { bold: true });
    const total = columns.reduce((s, c) => s + c.share, 0);
    const widths = columns.map((c) => (c.share / total) * this.width);
    const size = 9;
    const pad = 3;
    const drawRow = (cells: readonly string[], font: PDFFont) => {
      const wrapped = cells.map((c, i) => wrapText(c, font, size, widths[i]! - 2 * pad));
      const height = Math.max(1, ...wrapped.map((w) => w.length)) * 11.5 + 2 * pad;
      let x = MARGIN.left;
      wrapped.forEach((lines, i) => {
        this.page.drawRectangle({ x, y: this.y - height, width: widths[i]!, height, borderWidth: 0.5, borderColor: rgb(0, 0, 0) });
        lines.forEach((line, k) => this.page.drawText(line, { x: x + pad, y: this.y - pad - size - k * 11.5, size, font }));
        x += widths[i]!;
      });
      this.y -= height;
      return height;
    };
    const header = () => drawRow(columns.map((c) => c.header), this.bold);
    header();
    for (const row of rows.length > 0 ? rows : [columns.map(() => '')]) {
      const lines = Math.max(1, ...row.map((c, i) => wrapText(c, this.font, size, widths[i]! - 2 * pad).length));
      if (this.y - (lines * 11.5 + 2 * pad) < MARGIN.bottom) {
        this.newPage();
        header();
      }
      drawRow(row, this.font);
    }
    this.gap(4);
  }
}

/** The unsigned PDF of one CV. */
export async function cvPdfDocument(r: CvRecord, o: { fonts: CvFonts; created: Date; title?: string }): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(o.fonts.regular, { subset: true });
  const bold = await doc.embedFont(o.fonts.bold, { subset: true });
  const p = r.profile;
  const title = o.title ?? `Sơ yếu lý lịch – ${p.HoTen}`;
  doc.setTitle(title);
  doc.setAuthor(r.managingAgency.name ?? r.managingAgency.code);
  doc.setSubject('Sơ yếu lý lịch cán bộ, công chức, viên chức (Thông tư 06/2023/TT-BNV)');
  doc.setLanguage('vi-VN');
  doc.setCreator('csdl-gateway');
  doc.setProducer('csdl-gateway (pdf-lib)');
  doc.setCreationDate(o.created);
  doc.setModificationDate(o.created);

  const L = new Layout(doc, font, bold);
  // Header: the agency at the left, the national motto at the right, as the printed form has them.
  const half = L.width / 2;
  const top = L.y;
  L.text(`Cơ quan quản lý: ${r.managingAgency.name ?? r.managingAgency.code}`, { width: half - 10, size: 9.5 });
  L.text(`Cơ quan sử dụng: ${r.employingAgency.name ?? r.employingAgency.code}`, { width: half - 10, size: 9.5 });
  L.text(`Số định danh cá nhân: ${r.personalId}`, { width: half - 10, size: 9.5 });
  const leftBottom = L.y;
  L.y = top;
  L.text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { x: half, width: half, bold: true, size: 9.5 });
  L.text('Độc lập - Tự do - Hạnh phúc', { x: half + 30, width: half - 30, bold: true, size: 9.5 });
  L.y = Math.min(L.y, leftBottom) - 14;
  L.text('SƠ YẾU LÝ LỊCH', { center: true, bold: true, size: 15 });
  L.text(`${PHAN_LOAI_LABELS[r.category as keyof typeof PHAN_LOAI_LABELS] ?? r.category} – ${labelOf(TRANG_THAI_LABELS, r.status)} – phiên bản hồ sơ ${r.version}`, { center: true, size: 9.5 });
  L.gap(10);

  let no = 0;
  const item = (label: string, value: string) => L.item(++no, label, value);
  item('Họ và tên khai sinh (viết chữ in hoa)', p.HoTen.toLocaleUpperCase('vi'));
  item('Giới tính', GIOI_TINH_LABELS[p.GioiTinh]);
  item('Các tên gọi khác', p.TenGoiKhac ?? '');
  item('Sinh ngày', d(p.NgaySinh));
  item('Nơi sinh', p.NoiSinh ?? '');
  item('Quê quán', p.QueQuan ?? '');
  item('Dân tộc', p.DanToc ?? '');
  item('Tôn giáo', p.TonGiao ?? '');
  item('Số định danh cá nhân, ngày cấp', join(r.personalId, p.NgayCapCCCD && `cấp ngày ${d(p.NgayCapCCCD)}`));
  item('Số điện thoại liên hệ', p.SoDienThoai ?? '');
  item('Số sổ bảo hiểm xã hội', p.SoBHXH ?? '');
  item('Số thẻ bảo hiểm y tế', p.SoTheBHYT ?? '');
  item('Nơi ở hiện nay', p.NoiOHienNay ?? '');
  item('Nghề nghiệp trước khi được tuyển dụng', p.NgheNghiepTruocTuyenDung ?? '');
  item('Ngày được tuyển dụng, cơ quan tuyển dụng', join(d(p.NgayTuyenDung), p.CoQuanTuyenDung));
  item('Ngày vào cơ quan hiện đang công tác', d(p.NgayVaoCoQuan));
  item('Ngày vào Đảng Cộng sản Việt Nam, ngày chính thức', join(d(p.NgayVaoDang), p.NgayChinhThucDang && `chính thức ${d(p.NgayChinhThucDang)}`));
  item('Trình độ giáo dục phổ thông', p.TrinhDoGiaoDucPhoThong ?? '');
  item('Trình độ chuyên môn cao nhất', p.TrinhDoChuyenMon ?? '');
  item('Học hàm', p.HocHam ?? '');
  item('Danh hiệu được Nhà nước phong tặng', p.DanhHieuNhaNuoc ?? '');
  item('Chức vụ hiện tại, ngày bổ nhiệm', join(p.ChucVuHienTai, p.NgayBoNhiem && `bổ nhiệm ngày ${d(p.NgayBoNhiem)}`));
  item('Chức vụ kiêm nhiệm', p.ChucVuKiemNhiem ?? '');
  item('Công việc chính được giao', p.CongViecChinh ?? '');
  const l = p.Luong ?? {};
  item('Ngạch công chức, chức danh nghề nghiệp (mã số, ngày bổ nhiệm)', join(l.TenNgach, l.MaNgach && `mã ${l.MaNgach}`, l.NgayBoNhiemNgach && `bổ nhiệm ngày ${d(l.NgayBoNhiemNgach)}`));
  item('Bậc lương, hệ số, ngày hưởng', join(l.BacLuong !== undefined ? `bậc ${l.BacLuong}` : undefined, l.HeSoLuong !== undefined ? `hệ số ${n(l.HeSoLuong)}` : undefined,
    l.NgayHuongLuong && `từ ngày ${d(l.NgayHuongLuong)}`, l.PhanTramHuong !== undefined ? `hưởng ${n(l.PhanTramHuong)}%` : undefined));
  item('Phụ cấp chức vụ, phụ cấp thâm niên vượt khung', join(l.PhuCapChucVu !== undefined ? `chức vụ ${n(l.PhuCapChucVu)}` : undefined, l.PhuCapThamNienVuotKhung !== undefined ? `vượt khung ${n(l.PhuCapThamNienVuotKhung)}%` : undefined));
  item('Vị trí việc làm', l.ViTriViecLam ?? '');
  const s = p.SucKhoe ?? {};
  item('Tình trạng sức khỏe, chiều cao, cân nặng, nhóm máu', join(s.TinhTrang, s.ChieuCao !== undefined ? `${n(s.ChieuCao)} cm` : undefined, s.CanNang !== undefined ? `${n(s.CanNang)} kg` : undefined, s.NhomMau && `nhóm máu ${s.NhomMau}`));

  L.table(++no, 'Quá trình đào tạo, bồi dưỡng', [
    { header: 'Loại', share: 2.2 }, { header: 'Từ tháng', share: 1.3 }, { header: 'Đến tháng', share: 1.3 }, { header: 'Cơ sở đào tạo', share: 3 },
    { header: 'Chuyên ngành', share: 2.6 }, { header: 'Hình thức', share: 1.6 }, { header: 'Văn bằng, chứng chỉ', share: 2.2 },
  ], (p.QuaTrinhDaoTao ?? []).map((x) => [LOAI_DAO_TAO_LABELS[x.Loai], m(x.TuThang), m(x.DenThang), x.CoSoDaoTao ?? '', x.ChuyenNganh ?? '', x.HinhThuc ?? '', x.VanBang ?? '']));
  L.table(++no, 'Tóm tắt quá trình công tác', [{ header: 'Từ tháng', share: 1.2 }, { header: 'Đến tháng', share: 1.2 }, { header: 'Cơ quan, đơn vị', share: 5 }, { header: 'Chức danh, chức vụ', share: 3 }],
    (p.QuaTrinhCongTac ?? []).map((x) => [m(x.TuThang), m(x.DenThang) || 'nay', x.DonVi, x.ChucDanh ?? '']));
  L.table(++no, 'Khen thưởng, xếp loại', [{ header: 'Năm', share: 1 }, { header: 'Xếp loại chuyên môn', share: 3 }, { header: 'Xếp loại thi đua', share: 3 }, { header: 'Hình thức khen thưởng', share: 4 }],
    (p.KhenThuong ?? []).map((x) => [String(x.Nam), x.XepLoaiChuyenMon ?? '', x.XepLoaiThiDua ?? '', x.HinhThuc ?? '']));
  L.table(++no, 'Kỷ luật', [{ header: 'Từ ngày', share: 1.4 }, { header: 'Đến ngày', share: 1.4 }, { header: 'Hình thức', share: 2 }, { header: 'Hành vi vi phạm', share: 4 }, { header: 'Cơ quan quyết định', share: 2.4 }],
    (p.KyLuat ?? []).map((x) => [d(x.TuNgay), d(x.DenNgay), x.HinhThuc, x.HanhVi ?? '', x.CoQuanQuyetDinh ?? '']));
  const family = (spouseSide: boolean) => (p.QuanHeGiaDinh ?? []).filter((x) => (x.BenVoChong ?? false) === spouseSide)
    .map((x) => [x.MoiQuanHe, x.HoTen, x.NamSinh === undefined ? '' : String(x.NamSinh), x.ThongTin ?? '']);
  const familyColumns = [{ header: 'Mối quan hệ', share: 1.6 }, { header: 'Họ và tên', share: 2.6 }, { header: 'Năm sinh', share: 1 }, { header: 'Quê quán, nghề nghiệp, chức danh, chức vụ, đơn vị công tác, học tập, nơi ở', share: 5.8 }];
  L.table(++no, 'Quan hệ gia đình (về bản thân)', familyColumns, family(false));
  L.table(++no, 'Quan hệ gia đình (bên vợ hoặc chồng)', familyColumns, family(true));
  L.table(++no, 'Diễn biến quá trình lương', [{ header: 'Từ tháng', share: 1.2 }, { header: 'Đến tháng', share: 1.2 }, { header: 'Mã ngạch, chức danh', share: 2 }, { header: 'Bậc', share: 0.8 }, { header: 'Hệ số', share: 1 }],
    (p.QuaTrinhLuong ?? []).map((x) => [m(x.TuThang), m(x.DenThang) || 'nay', x.MaNgach ?? '', x.BacLuong === undefined ? '' : String(x.BacLuong), n(x.HeSoLuong)]));
  L.gap(4);
  item('Nhận xét, đánh giá của cơ quan, đơn vị quản lý và sử dụng', p.NhanXetDanhGia ?? '');
  L.gap(12);
  L.ensure(LEADING * 4);
  L.text(`${++no}. Xác nhận: bản in từ Cơ sở dữ liệu cán bộ, công chức, viên chức của ${r.managingAgency.name ?? r.managingAgency.code}, ngày ${vietnameseDate(localDate(o.created))}; có chữ ký số của cơ quan.`, { size: 9.5 });

  const pages = doc.getPages();
  pages.forEach((page, i) => {
    const label = `Trang ${i + 1}/${pages.length}`;
    page.drawText(label, { x: A4.width - MARGIN.right - font.widthOfTextAtSize(label, 8.5), y: 28, size: 8.5, font });
    page.drawText(`${p.HoTen} – ${r.personalId}`, { x: MARGIN.left, y: 28, size: 8.5, font });
  });
  return doc;
}
