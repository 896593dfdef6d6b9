// The few pages the server writes itself, before the dashboard's own page can load: sign-in problems.
// `body` is markup written here, never text from a request.
export function signInPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Punie · ${title}</title>
<style>body{font:15px system-ui,sans-serif;margin:15vh auto;max-width:34rem;padding:0 1rem;color:#1d2330}
code{background:#eef0f4;padding:1px 5px;border-radius:4px}@media(prefers-color-scheme:dark){body{background:#14161b;color:#dde}code{background:#2a2e37}}</style>
</head><body><h1>${title}</h1><p>${body}</p></body></html>
`
}
