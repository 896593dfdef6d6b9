// The dashboard page: one Preact tree, routed by the URL's hash.
import { render } from 'preact'
import { Shell } from './app.js'
import './styles.css'

const root = document.getElementById('app')
if (root) render(<Shell />, root)
