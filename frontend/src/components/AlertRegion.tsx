import { t } from '../lib/i18n';
import { Icon } from './Icon';
interface Props {
  message: string | null;
  onDismiss(): void;
}

/** The app's one alert region: always in the page (so screen readers announce changes). */
export function AlertRegion({ message, onDismiss }: Props) {
  return (
    <div class={message ? 'alert-area alert-area--shown' : 'alert-area'}>
      <div role="alert" class="alert__text">
        {message}
      </div>
      {message && (
        <button type="button" class="alert__dismiss" aria-label={t('common.dismiss')} onClick={onDismiss}>
          <Icon name="close" size={14} />
        </button>
      )}
    </div>
  );
}
