import { Fragment } from 'preact';
import { SHORTCUTS } from '../lib/shortcuts';
import { t } from '../lib/i18n';

/** The keyboard shortcuts as a table (the shortcuts dialog and the Shortcuts settings page). */
export function ShortcutList() {
  return (
    <>
      <p class="muted">{t('shortcut.intro')}</p>
      <table class="shortcuts">
        <tbody>
          {SHORTCUTS.map((def) => (
            <tr key={def.id} data-shortcut={def.id}>
              <th scope="row">
                {def.label}
                {def.planned && <span class="muted"> {t('shortcut.not_yet')}</span>}
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
