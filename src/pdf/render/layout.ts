// The page furniture of every Carnet document, drawn with jsPDF: A4 portrait in millimetres, Helvetica (the
// standard font's WinAnsi encoding covers French: accents, « », œ, ’), a header band, titled sections of
// label/value rows (jspdf-autotable, which breaks long values and pages), the signature area, and on every page
// the footer with the generation date and « Page n/N ». Only the files of this folder import jsPDF.
import { jsPDF } from 'jspdf'
import { autoTable, type RowInput, type UserOptions } from 'jspdf-autotable'
import type { DocumentClosing, DocumentHeader, LabelValue } from '../models/common'
import { fill } from '../models/common'
import { TEXTS } from '../models/texts'
import { wrapText } from '../models/wrap'

type Rgb = [number, number, number]

/** The palette: the app's own blue for the band and headings, red for marks that must not be missed. */
export const COLORS = {
  primary: [29, 78, 137] satisfies Rgb,
  primaryTint: [232, 238, 246] satisfies Rgb,
  danger: [201, 25, 30] satisfies Rgb,
  dangerTint: [254, 236, 236] satisfies Rgb,
  text: [22, 22, 22] satisfies Rgb,
  muted: [90, 90, 90] satisfies Rgb,
  rule: [200, 200, 210] satisfies Rgb,
  white: [255, 255, 255] satisfies Rgb,
} as const

/** Page geometry in millimetres. */
export const PAGE = {
  width: 210,
  height: 297,
  margin: 18,
  bandHeight: 20,
  contentTop: 28,
  contentBottom: 276,
  footerY: 287,
} as const

const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin
const LINE = 0.3528 // one point in millimetres

/** Creates an empty A4 portrait document in millimetres with its metadata. */
export function createDocument(title: string, organisation: string): jsPDF {
  const doc = new jsPDF({ unit: 'mm', format: 'a4', orientation: 'portrait', compress: true })
  doc.setProperties({ title, subject: title, author: organisation, creator: TEXTS.brand })
  doc.setLanguage('fr')
  doc.setFont('helvetica', 'normal')
  doc.setTextColor(...COLORS.text)
  return doc
}

/** A cursor down the pages: writes blocks and starts a new page when the next one does not fit. */
export class PageWriter {
  y: number = PAGE.contentTop

  constructor(readonly doc: jsPDF) {}

  /** Starts a new page unless `height` millimetres still fit on this one. */
  ensure(height: number): void {
    if (this.y + height <= PAGE.contentBottom) return
    this.doc.addPage()
    this.y = PAGE.contentTop
  }

  /** Writes a wrapped paragraph. */
  paragraph(
    text: string,
    options: {
      size?: number
      style?: 'normal' | 'bold' | 'italic' | 'bolditalic'
      color?: Rgb
      indent?: number
      width?: number
    } = {},
  ): void {
    const size = options.size ?? 10
    const indent = options.indent ?? 0
    const { doc } = this
    doc.setFont('helvetica', options.style ?? 'normal')
    doc.setFontSize(size)
    doc.setTextColor(...(options.color ?? COLORS.text))
    const lineHeight = size * LINE * 1.3
    const lines = wrapText(text, options.width ?? CONTENT_WIDTH - indent, (s) => doc.getTextWidth(s))
    for (const line of lines) {
      this.ensure(lineHeight)
      doc.text(line, PAGE.margin + indent, this.y, { baseline: 'top' })
      this.y += lineHeight
    }
  }

  /** Leaves vertical space. */
  space(height: number): void {
    this.y += height
  }

  /** Writes a section heading with a rule under it, kept on the page with `keepWith` millimetres of what follows. */
  heading(title: string, keepWith = 8): void {
    const { doc } = this
    this.ensure(8 + keepWith)
    doc.setFont('helvetica', 'bold')
    doc.setFontSize(11.5)
    doc.setTextColor(...COLORS.primary)
    doc.text(title.toUpperCase(), PAGE.margin, this.y, { baseline: 'top' })
    this.y += 5.5
    doc.setDrawColor(...COLORS.primary)
    doc.setLineWidth(0.4)
    doc.line(PAGE.margin, this.y, PAGE.width - PAGE.margin, this.y)
    this.y += 2
  }

  /** Draws a table and moves the cursor under it; the table breaks pages inside the content area. */
  table(options: UserOptions): void {
    let endY = this.y
    autoTable(this.doc, {
      startY: this.y,
      margin: {
        top: PAGE.contentTop,
        bottom: PAGE.height - PAGE.contentBottom,
        left: PAGE.margin,
        right: PAGE.margin,
      },
      rowPageBreak: 'avoid',
      ...options,
      didDrawPage: (data) => {
        endY = data.cursor?.y ?? endY
      },
    })
    this.y = endY
  }

  /**
   * Writes label/value rows as a table: grey labels, values in bold, long values wrapped inside their cell. With
   * `pairs: 2` two rows share a line (for short values such as the identity).
   */
  rows(rows: readonly LabelValue[], options: { pairs?: 1 | 2 } = {}): void {
    const pairs = options.pairs ?? 1
    const body: RowInput[] = []
    for (let i = 0; i < rows.length; i += pairs) {
      body.push(rows.slice(i, i + pairs).flatMap((r) => [r.label, r.value]))
    }
    const label = { textColor: COLORS.muted, fontStyle: 'normal' as const }
    const value = { textColor: COLORS.text, fontStyle: 'bold' as const }
    this.table({
      theme: 'plain',
      body,
      styles: {
        font: 'helvetica',
        fontSize: 9.5,
        cellPadding: { top: 0.8, bottom: 0.8, left: 1.5, right: 1.5 },
        overflow: 'linebreak',
      },
      columnStyles:
        pairs === 1
          ? { 0: { ...label, cellWidth: 68 }, 1: value }
          : {
              0: { ...label, cellWidth: 34 },
              1: { ...value, cellWidth: CONTENT_WIDTH / 2 - 34 },
              2: { ...label, cellWidth: 34 },
              3: value,
            },
      alternateRowStyles: { fillColor: [247, 247, 250] },
    })
    this.y += 3
  }

  /** Draws a framed, tinted box of paragraphs; kept on one page. */
  box(
    lines: readonly {
      text: string
      size: number
      style: 'normal' | 'bold'
      font?: 'helvetica' | 'courier'
      color?: Rgb
    }[],
    colors: { border: Rgb; fill: Rgb },
  ): void {
    const { doc } = this
    const padding = 3
    const width = CONTENT_WIDTH - 2 * padding
    const laid = lines.map((line) => {
      doc.setFont(line.font ?? 'helvetica', line.style)
      doc.setFontSize(line.size)
      return {
        ...line,
        wrapped: wrapText(line.text, width, (s) => doc.getTextWidth(s)),
        height: line.size * LINE * 1.3,
      }
    })
    const height = laid.reduce((sum, l) => sum + l.wrapped.length * l.height, 0) + 2 * padding
    this.ensure(height)
    doc.setDrawColor(...colors.border)
    doc.setFillColor(...colors.fill)
    doc.setLineWidth(0.6)
    doc.rect(PAGE.margin, this.y, CONTENT_WIDTH, height, 'FD')
    let y = this.y + padding
    for (const line of laid) {
      doc.setFont(line.font ?? 'helvetica', line.style)
      doc.setFontSize(line.size)
      doc.setTextColor(...(line.color ?? COLORS.text))
      for (const text of line.wrapped) {
        doc.text(text, PAGE.margin + padding, y, { baseline: 'top' })
        y += line.height
      }
    }
    this.y += height + 4
  }

  /** Writes the code de ciblage in its box: the patient keeps it to find the file again. */
  code(code: { label: string; value: string; hint: string }): void {
    this.box(
      [
        { text: code.label, size: 9.5, style: 'bold', color: COLORS.primary },
        { text: code.value, size: 16, style: 'bold', font: 'courier' },
        { text: code.hint, size: 8.5, style: 'normal', color: COLORS.muted },
      ],
      { border: COLORS.primary, fill: COLORS.primaryTint },
    )
  }

  /** Writes the adverse-effect text and its link (clickable in the PDF, readable on paper). */
  adverseEffect(closing: DocumentClosing): void {
    const { doc } = this
    this.ensure(16)
    this.paragraph(closing.adverseEffect.text, { size: 9.5 })
    this.ensure(6)
    doc.setFont('helvetica', 'bold')
    doc.setFontSize(10)
    doc.setTextColor(...COLORS.primary)
    doc.textWithLink(closing.adverseEffect.url, PAGE.margin, this.y, {
      url: closing.adverseEffect.url,
      baseline: 'top',
    })
    const width = doc.getTextWidth(closing.adverseEffect.url)
    doc.setDrawColor(...COLORS.primary)
    doc.setLineWidth(0.2)
    doc.line(PAGE.margin, this.y + 4.2, PAGE.margin + width, this.y + 4.2)
    this.y += 8
  }

  /** Writes the signature sentence and the boxes to sign and date in, kept together on one page. */
  signature(closing: DocumentClosing): void {
    const { doc } = this
    const boxHeight = 24
    this.ensure(boxHeight + 13)
    this.paragraph(closing.signature.sentence, { size: 10.5, style: 'bold' })
    this.space(2)
    const gap = 6
    const widths = [CONTENT_WIDTH * 0.64, CONTENT_WIDTH * 0.36 - gap]
    let x = PAGE.margin
    closing.signature.boxes.forEach((label, i) => {
      const width = widths[i] ?? widths[1] ?? 40
      doc.setDrawColor(...COLORS.muted)
      doc.setLineWidth(0.3)
      doc.rect(x, this.y, width, boxHeight, 'S')
      doc.setFont('helvetica', 'normal')
      doc.setFontSize(8.5)
      doc.setTextColor(...COLORS.muted)
      doc.text(label, x + 2.5, this.y + 2.5, { baseline: 'top' })
      x += width + gap
    })
    this.y += boxHeight + 4
  }
}

/** Draws the header band and the footer (generation line, « Page n/N ») on every page, once all pages exist. */
export function finishPages(doc: jsPDF, header: DocumentHeader, closing: DocumentClosing): void {
  const total = doc.getNumberOfPages()
  for (let page = 1; page <= total; page++) {
    doc.setPage(page)
    doc.setFillColor(...COLORS.primary)
    doc.rect(0, 0, PAGE.width, PAGE.bandHeight, 'F')
    doc.setTextColor(...COLORS.white)
    doc.setFont('helvetica', 'bold')
    doc.setFontSize(17)
    doc.text(header.brand, PAGE.margin, 9.5, { baseline: 'middle' })
    doc.setFont('helvetica', 'normal')
    doc.setFontSize(8.5)
    doc.text(header.tagline, PAGE.margin, 15, { baseline: 'middle' })
    const right = PAGE.width - PAGE.margin
    doc.setFont('helvetica', 'bold')
    doc.setFontSize(10)
    const organisation = wrapText(header.organisation, 110, (s) => doc.getTextWidth(s)).slice(0, 2)
    organisation.forEach((line, i) =>
      doc.text(line, right, 7.5 + i * 4.3, { align: 'right', baseline: 'middle' }),
    )
    if (header.organisationId !== undefined) {
      doc.setFont('helvetica', 'normal')
      doc.setFontSize(8.5)
      doc.text(header.organisationId, right, 7.5 + organisation.length * 4.3, {
        align: 'right',
        baseline: 'middle',
      })
    }
    doc.setDrawColor(...COLORS.rule)
    doc.setLineWidth(0.3)
    doc.line(PAGE.margin, PAGE.footerY - 4, PAGE.width - PAGE.margin, PAGE.footerY - 4)
    doc.setFont('helvetica', 'normal')
    doc.setFontSize(8)
    doc.setTextColor(...COLORS.muted)
    doc.text(closing.generated, PAGE.margin, PAGE.footerY, { baseline: 'middle' })
    doc.text(fill(TEXTS.page, { n: page, total }), right, PAGE.footerY, {
      align: 'right',
      baseline: 'middle',
    })
  }
}

/** The document as a PDF blob. */
export function toBlob(doc: jsPDF): Blob {
  return doc.output('blob')
}
