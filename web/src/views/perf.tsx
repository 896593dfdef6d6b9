// The performance panel: the headline figures and charts of the perf report, for all sessions or one.
import { useEffect, useState } from 'preact/hooks'
import { perfCharts } from '../../../src/perf/charts.js'
import { headlineRows } from '../../../src/perf/figures.js'
import type { PerfPanel } from '../../../src/server/dashboard/api.js'
import { enc, getJson } from '../api.js'
import { useApp } from '../context.js'
import { sessionHref } from '../router.js'

export function PerfView({ session }: { session: string | undefined }) {
  const { report } = useApp()
  const [panel, setPanel] = useState<PerfPanel | null>(null)
  useEffect(() => {
    getJson<PerfPanel>(session ? `/api/perf?session=${enc(session)}` : '/api/perf')
      .then(setPanel)
      .catch(report)
  }, [session, report])
  return (
    <div class="perf" data-testid="perf">
      <div class="toolbar">
        <h1>Performance</h1>
        <span class="muted">{panel ? panel.scope : session ? `session ${session}` : 'all sessions'}</span>
        {session && (
          <>
            <a href={sessionHref(session)}>back to the session</a>
            <a href="#/perf">all sessions</a>
          </>
        )}
        <span class="spacer" />
        {panel && (
          <a href={panel.reportUrl} target="_blank" rel="noopener">
            Full HTML report ↗
          </a>
        )}
      </div>
      {!panel ? (
        <p class="empty">Loading…</p>
      ) : panel.figures.turns === 0 ? (
        <p class="empty">No turns recorded yet.</p>
      ) : (
        <>
          <table class="headline">
            <tbody>
              {headlineRows(panel.figures).map(([label, value]) => (
                <tr key={label}>
                  <th>{label}</th>
                  <td>{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="charts">
            {perfCharts(panel.figures).map((svg, i) => (
              // Our own chart markup (src/perf/svg.ts escapes every text in it), never model text.
              <div key={i} class="chart" dangerouslySetInnerHTML={{ __html: svg }} />
            ))}
          </div>
        </>
      )}
    </div>
  )
}
