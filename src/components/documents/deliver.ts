// Handing a made document to the person, with no network: a file saved through a download link, or a PDF shown in
// a tab of its own where the browser's viewer prints it. Object URLs are revoked only after a while: the tab or the
// download reads the blob after the click returns.

const REVOKE_AFTER_MS = 60_000

function revokeLater(url: string): void {
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS)
}

/** Saves a blob as a file through a download link. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  link.style.display = 'none'
  document.body.append(link)
  link.click()
  link.remove()
  revokeLater(url)
}

/**
 * Opens an empty tab while the click's user activation lasts (a popup blocker lets it through), to show the PDF in
 * once it is made: making it loads jsPDF and may take longer than the activation. Null when the browser refused.
 */
export function openPendingTab(waitingText: string): Window | null {
  const tab = window.open('', '_blank')
  if (tab === null) return null
  try {
    tab.document.title = waitingText
    tab.document.body.textContent = waitingText
  } catch {
    // A tab the browser keeps apart from its opener: nothing to write in, the PDF still replaces it.
  }
  return tab
}

/** Shows a PDF in a tab opened by `openPendingTab`, or saves it when there is no tab (popup refused). */
export function showPdf(tab: Window | null, blob: Blob, fileName: string): void {
  if (tab === null || tab.closed) {
    saveBlob(blob, fileName)
    return
  }
  const url = URL.createObjectURL(blob)
  tab.location.href = url
  revokeLater(url)
}
