// Draws the vaccination certificate (« Bilan de vaccination ») from its layout model.
import type { RowInput } from 'jspdf-autotable'
import type { CertificateModel } from '../models/certificate'
import { COLORS, PAGE, PageWriter, createDocument, finishPages, toBlob } from './layout'
import { drawQrCode } from './qr'

const QR_SIZE = 46

/** Renders a certificate as an A4 PDF. */
export function renderCertificate(model: CertificateModel): Blob {
  const doc = createDocument(model.title, model.header.organisation)
  const page = new PageWriter(doc)
  page.paragraph(model.title, { size: 18, style: 'bold', color: COLORS.primary })
  page.space(3)
  if (model.provisional !== undefined) {
    page.box(
      [
        { text: model.provisional.mark, size: 13, style: 'bold', color: COLORS.danger },
        { text: model.provisional.hint, size: 9, style: 'normal' },
      ],
      { border: COLORS.danger, fill: COLORS.dangerTint },
    )
  }
  page.code(model.code)
  page.heading(model.identity.title)
  page.rows(model.identity.rows, { pairs: 2 })

  page.heading(model.doses.title)
  if (model.doses.rows.length === 0) {
    page.paragraph(model.doses.empty, { size: 10, style: 'italic' })
  } else {
    const body: RowInput[] = model.doses.rows.map((d) => [
      d.date,
      `${d.vaccine}\n${d.disease}`,
      d.lot,
      d.dose,
      d.site,
      d.professional,
      d.place,
    ])
    page.table({
      theme: 'grid',
      head: [model.doses.columns],
      body,
      styles: {
        font: 'helvetica',
        fontSize: 8.5,
        cellPadding: 1.6,
        overflow: 'linebreak',
        lineColor: COLORS.rule,
        lineWidth: 0.2,
        textColor: COLORS.text,
        valign: 'top',
      },
      headStyles: { fillColor: COLORS.primary, textColor: COLORS.white, fontStyle: 'bold' },
      columnStyles: { 0: { cellWidth: 19 }, 2: { cellWidth: 19 }, 3: { cellWidth: 15 } },
    })
    page.space(4)
  }

  page.heading(model.qr.title, QR_SIZE + 2)
  drawQrCode(doc, model.qr.text, PAGE.margin, page.y, QR_SIZE)
  const top = page.y
  page.paragraph(model.qr.caption, { size: 8.5, color: COLORS.muted, indent: QR_SIZE + 5 })
  page.y = Math.max(page.y, top + QR_SIZE) + 4

  page.adverseEffect(model.closing)
  page.signature(model.closing)
  finishPages(doc, model.header, model.closing)
  return toBlob(doc)
}
