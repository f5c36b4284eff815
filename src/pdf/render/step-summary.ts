// Draws a step's summary (« synthèse ») from its layout model.
import type { StepSummaryModel } from '../models/step-summary'
import { COLORS, PageWriter, createDocument, finishPages, toBlob } from './layout'

/** Renders a step summary as an A4 PDF. */
export function renderStepSummary(model: StepSummaryModel): Blob {
  const doc = createDocument(model.title, model.header.organisation)
  const page = new PageWriter(doc)
  page.paragraph(model.title, {
    size: model.isRectificatif ? 14 : 16,
    style: 'bold',
    color: model.isRectificatif ? COLORS.danger : COLORS.primary,
  })
  page.space(1)
  page.paragraph(model.stepTitle, { size: 12, style: 'bold' })
  page.space(3)
  page.code(model.code)
  model.sections.forEach((section, i) => {
    page.heading(section.title)
    page.rows(section.rows, { pairs: i === 1 ? 1 : 2 })
  })
  for (const line of model.validation) page.paragraph(line, { size: 9.5, color: COLORS.muted })
  page.space(2)
  if (model.nextDose !== undefined) {
    page.box(
      [
        { text: model.nextDose.text, size: 11, style: 'bold', color: COLORS.primary },
        ...(model.nextDose.hint === undefined
          ? []
          : [{ text: model.nextDose.hint, size: 9, style: 'normal' as const }]),
      ],
      { border: COLORS.primary, fill: COLORS.white },
    )
  }
  page.adverseEffect(model.closing)
  page.signature(model.closing)
  finishPages(doc, model.header, model.closing)
  return toBlob(doc)
}
