"""The Streamlit app: renders and routes; every decision is made by the `tutor` library."""
