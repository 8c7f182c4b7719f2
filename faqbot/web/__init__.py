"""The web face: the Gradio chat widget, the rate limit and server start-up."""
