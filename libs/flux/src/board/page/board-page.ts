import { createHash } from 'node:crypto';
import { BOARD_MARKUP } from './board-page.markup.js';
import { BOARD_STYLES } from './board-page.styles.js';
import { BOARD_SCRIPT_CORE } from './board-script.core.js';
import { BOARD_SCRIPT_EVENTS } from './board-script.events.js';
import { BOARD_SCRIPT_STREAMS } from './board-script.streams.js';

const script = `'use strict';\n{${BOARD_SCRIPT_CORE}${BOARD_SCRIPT_STREAMS}${BOARD_SCRIPT_EVENTS}}\n`;

/**
 * The whole page: markup, inline CSS and JS, no external resource.
 * @internal
 */
export const BOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flux board</title>
<link rel="icon" href="data:,">
<style>${BOARD_STYLES}</style>
</head>
<body>${BOARD_MARKUP}<script>${script}</script>
</body>
</html>
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Content-Security-Policy of the page: only its own inline script and style (by hash) run, and
 * it may only call its own origin. A second line of defence behind text-only rendering: even
 * injected markup could run no script. `frame-ancestors 'none'` stops clickjacking of the buttons.
 * @internal
 */
export const BOARD_CSP = [
  "default-src 'none'",
  `script-src ${sha256(script)}`,
  `style-src ${sha256(BOARD_STYLES)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
