import { render } from 'preact';
import { App } from './app';
import { browserLanguage, loadCatalogue } from './lib/i18n';
import { startTheme } from './lib/theme';
import './styles.css';

startTheme();
const root = document.getElementById('app');
// the sign-in page speaks the browser's language when there is a catalogue for it
void loadCatalogue(browserLanguage()).finally(() => {
  if (root) render(<App />, root);
});
