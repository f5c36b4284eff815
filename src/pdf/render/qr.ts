// The certificate's QR code drawn as vector squares from the symbol's modules: no canvas, so the same code runs in
// the browser and in Node, and the code stays sharp at any print resolution.
import type { jsPDF } from 'jspdf'
import QRCode from 'qrcode'

/** Draws a QR code of `text` with its top-left corner at (x, y), `size` millimetres wide (quiet zone included). */
export function drawQrCode(doc: jsPDF, text: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const quiet = 4
  const cell = size / (modules.size + 2 * quiet)
  doc.setFillColor(255, 255, 255)
  doc.rect(x, y, size, size, 'F')
  doc.setFillColor(0, 0, 0)
  // One rectangle per horizontal run of dark modules, a hair taller than a module so no seam shows between rows.
  for (let row = 0; row < modules.size; row++) {
    let col = 0
    while (col < modules.size) {
      if (!modules.get(row, col)) {
        col++
        continue
      }
      const start = col
      while (col < modules.size && modules.get(row, col)) col++
      doc.rect(x + (quiet + start) * cell, y + (quiet + row) * cell, (col - start) * cell, cell + 0.02, 'F')
    }
  }
}
