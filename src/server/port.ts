// Where `punie serve` listens unless told otherwise.
// 7777 is no local model server's default (LM Studio 1234, Ollama 11434, llama.cpp and mlx-lm 8080, vLLM 8000,
// text-generation-webui 5000, koboldcpp 5001, Gradio 7860, Jan 1337), so Punie never takes a model server's port
// and `--model local`, which probes those ports, never finds Punie there.
export const DEFAULT_SERVE_PORT = 7777
