// The file store's half of an upload: PUT a file's bytes to the time-limited URL the API
// handed out (an S3 presigned URL on AWS, a signed /local/files URL on the local server).
// XMLHttpRequest rather than fetch: only it reports the upload's progress. The URL carries
// its own signature, so no Authorization header goes with it.

/** The store did not take the file: `status` 0 when it could not be reached (network, or a
 * CSP / CORS refusal the browser gives no detail of), else its HTTP status (403: the link
 * expired or was not signed for this). */
export class StoreError extends Error {
  constructor(readonly status: number) {
    super(status ? `file store answered HTTP ${status}` : 'file store unreachable')
    this.name = 'StoreError'
  }
}

/** The local server's signed URLs name 127.0.0.1:<port>, but the page may come from another
 * origin of it (localhost) or from vite's dev server, which proxies /local: sent to the page's
 * own origin, the CSP's 'self' lets them through. S3 URLs are left as they are. */
function sameOriginIfLocal(url: string): string {
  const parsed = new URL(url, window.location.href)
  return parsed.pathname.startsWith('/local/files/') ? parsed.pathname + parsed.search : url
}

/** PUTs `file` as text/csv (the type the bucket's CORS rule allows); `onProgress` gets the
 * share sent so far, 0 to 1. */
export function putFile(url: string, file: Blob, onProgress: (share: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('PUT', sameOriginIfLocal(url))
    xhr.setRequestHeader('Content-Type', 'text/csv')
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total) onProgress(event.loaded / event.total)
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve()
      else reject(new StoreError(xhr.status))
    }
    xhr.onerror = () => reject(new StoreError(0))
    xhr.onabort = () => reject(new StoreError(0))
    xhr.send(file)
  })
}
