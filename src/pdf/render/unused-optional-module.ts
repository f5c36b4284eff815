// jsPDF imports html2canvas, DOMPurify and canvg lazily, for its html() and SVG methods only, which Carnet never
// calls. The build resolves those three names to this empty module so that ~400 KB of code is neither bundled
// nor precached on every device.
export default undefined
