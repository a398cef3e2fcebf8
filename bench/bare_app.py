"""The baseline for the start-up benchmark: a bare 4-tab gr.Blocks app and nothing else."""

import argparse

import gradio as gr

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=7860)
args = parser.parse_args()

with gr.Blocks(analytics_enabled=False) as demo:
    for name in ("Classification", "Generation", "Answer ranking", "Fine-tuning"):
        with gr.Tab(name):
            gr.Markdown(name)

demo.queue().launch(server_name="127.0.0.1", server_port=args.port)
