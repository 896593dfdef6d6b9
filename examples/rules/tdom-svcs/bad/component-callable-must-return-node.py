from dataclasses import dataclass

from tdom import html


@dataclass
class Badge:
    label: str

    def __call__(self):
        return html(t"<span>{self.label}</span>")
