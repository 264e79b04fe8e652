import { render } from 'preact';
import { App } from './app';
import { startTheme } from './lib/theme';
import './styles.css';

startTheme();
const root = document.getElementById('app');
if (root) render(<App />, root);
