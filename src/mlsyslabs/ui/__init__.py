"""UI kit for the labs: design tokens, components, charts, prediction grading.

`tokens`, `predictions` and `style` import no UI library; `components` and
`charts` need marimo/plotly and are imported by the notebooks."""
