import { render } from 'preact';
import { App } from './app';
import { chooseLanguage, setLanguage } from './i18n';
import { applyTheme } from './lib/theme';
import { loadMe } from './lib/auth';
import './styles.css';

setLanguage(chooseLanguage());
applyTheme();
render(<App />, document.getElementById('app')!);
void loadMe();
