"""The spec language: YAML with positions (`load`), the JSON Schema (`schema`),
validation (`validate`, `plotly_check`), the compiled model (`model`: `Spec`, `Matrix`),
colour scales (`colours`) and the figure dict (`compile`)."""
