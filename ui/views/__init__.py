"""One module per page. Each defines `render()` and calls it only when Streamlit runs it."""
