// Content-Disposition for a download (RFC 6266 §4.1, with RFC 8187/5987 filename*): always
// "attachment" so a browser saves the file instead of rendering it, an ASCII fallback for old clients
// (anything outside printable ASCII, quotes and backslashes replaced) and the UTF-8 name as filename*.

export function attachmentDisposition(name: string): string {
  const fallback = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]|["\\%;]/g, '_').trim() || 'tep-dinh-kem';
  // encodeURIComponent leaves ' ( ) * ! unescaped; RFC 8187's attr-char does not allow them.
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
