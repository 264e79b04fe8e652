import { Fragment } from 'preact';
import { SHORTCUTS } from '../lib/shortcuts';

/** The keyboard shortcuts as a table (the shortcuts dialog and the Shortcuts settings page). */
export function ShortcutList() {
  return (
    <>
      <p class="muted">First select a conversation, then use any of these shortcuts.</p>
      <table class="shortcuts">
        <tbody>
          {SHORTCUTS.map((def) => (
            <tr key={def.id} data-shortcut={def.id}>
              <th scope="row">
                {def.label}
                {def.planned && <span class="muted"> (not available yet)</span>}
              </th>
              <td>
                {def.keys.map((key, index) => (
                  <Fragment key={key}>
                    {index > 0 && ' + '}
                    <kbd>{key}</kbd>
                  </Fragment>
                ))}
                {def.then && <span class="muted"> {def.then}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
