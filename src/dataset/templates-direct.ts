// Questions a coding agent answers without a tool: general Python knowledge that no file of the workspace
// changes. They keep the share of direct answers in a generated set (the roadmap found about 30% mattered), so
// that a model trained on it does not learn to call a tool for everything. Each has a few wordings.

export interface DirectAnswer {
  /** Stable: part of the example's metadata id. */
  id: string
  questions: readonly string[]
  answer: string
}

export const DIRECT_ANSWERS: readonly DirectAnswer[] = [
  {
    id: 'list-vs-tuple',
    questions: [
      'What is the difference between a list and a tuple in Python?',
      'List or tuple: which is mutable?',
    ],
    answer:
      'A list is mutable: you can append, remove and reassign items. A tuple is immutable once created, so it can be a dict key or a set member when its items are hashable. Use a tuple for a fixed record, a list for a collection that changes.',
  },
  {
    id: 'mutable-default',
    questions: [
      'Why is `def f(items=[])` a bug in Python?',
      'What goes wrong with a mutable default argument?',
    ],
    answer:
      'Default values are evaluated once, when the `def` runs, so every call shares the same list. Use `items=None` and create the list inside: `if items is None: items = []`.',
  },
  {
    id: 'is-vs-eq',
    questions: ['What is the difference between `is` and `==`?', 'When should I use `is` instead of `==`?'],
    answer:
      '`==` compares values (it calls `__eq__`); `is` compares identity, whether both names refer to the same object. Use `is` for singletons such as `None`, `True` and `False`, and `==` for everything else.',
  },
  {
    id: 'f-string',
    questions: [
      'How do I format a float with two decimals in an f-string?',
      'Show me an f-string with 2 decimal places.',
    ],
    answer:
      'Use a format spec after a colon: `f"{price:.2f}"` gives `3.14` for `3.14159`. `f"{n:,}"` adds thousands separators.',
  },
  {
    id: 'dict-get',
    questions: ['How do I read a dict key that may be missing?', 'What does `dict.get` do?'],
    answer:
      '`d.get(key)` returns `None` when the key is missing, and `d.get(key, default)` returns `default`. `d[key]` raises `KeyError` instead. For counting or grouping, `collections.defaultdict` or `Counter` avoids the check.',
  },
  {
    id: 'with-statement',
    questions: ['What does the `with` statement do?', 'Why open files with `with open(...)`?'],
    answer:
      '`with` runs a context manager: its `__enter__` on entry and its `__exit__` on exit, even when an exception is raised. With `open`, the file is closed when the block ends, whatever happens inside it.',
  },
  {
    id: 'list-comprehension',
    questions: [
      'How do I write a list comprehension with a condition?',
      'Filter a list with a comprehension.',
    ],
    answer:
      '`[x * 2 for x in values if x > 0]` keeps the positive values and doubles them. A condition before `for` picks between two values: `[x if x > 0 else 0 for x in values]`.',
  },
  {
    id: 'args-kwargs',
    questions: ['What are `*args` and `**kwargs`?', 'How does a function take any number of arguments?'],
    answer:
      '`*args` collects extra positional arguments into a tuple and `**kwargs` extra keyword arguments into a dict. At a call, `f(*items, **options)` unpacks them again.',
  },
  {
    id: 'dataclass',
    questions: ['What does `@dataclass` generate?', 'Why use a dataclass instead of a plain class?'],
    answer:
      '`@dataclass` writes `__init__`, `__repr__` and `__eq__` from the annotated fields. `frozen=True` makes instances immutable (and hashable), `order=True` adds comparisons, and `field(default_factory=list)` gives each instance its own list.',
  },
  {
    id: 'generator',
    questions: ['What is a generator in Python?', 'What does `yield` do?'],
    answer:
      'A function with `yield` returns a generator: each `next()` runs it to the next `yield` and hands back that value, keeping its state in between. It produces values lazily, so it can walk a huge file without holding it in memory.',
  },
  {
    id: 'type-hints-optional',
    questions: ['How do I annotate a parameter that may be None?', 'What is `Optional[int]`?'],
    answer:
      'Write `int | None` (Python 3.10+) or `Optional[int]` from `typing`; they mean the same. The annotation does not make the parameter optional: give it a default, `x: int | None = None`.',
  },
  {
    id: 'exceptions-finally',
    questions: [
      'When does a `finally` block run?',
      'What is the difference between `except`, `else` and `finally`?',
    ],
    answer:
      '`except` runs when the `try` block raises a matching exception, `else` when it raises none, and `finally` always, on the way out, after either. Put clean-up in `finally`, and only the code that may fail in `try`.',
  },
  {
    id: 'virtualenv',
    questions: ['How do I create a virtual environment?', 'How do I make a venv for a project?'],
    answer:
      'Run `python3 -m venv .venv`, then activate it with `source .venv/bin/activate` (on Windows `.venv\\Scripts\\activate`). `pip install` then installs into `.venv` only; add `.venv/` to `.gitignore`.',
  },
  {
    id: 'pytest-fixture',
    questions: ['What is a pytest fixture?', 'How do I share setup between pytest tests?'],
    answer:
      'A fixture is a function marked `@pytest.fixture` that a test receives by naming it as a parameter. Code after a `yield` in the fixture is its teardown. Put shared fixtures in `conftest.py`; `scope="module"` makes one per module instead of one per test.',
  },
  {
    id: 'enumerate-zip',
    questions: ['How do I loop with an index in Python?', 'How do I iterate over two lists at once?'],
    answer:
      '`for i, item in enumerate(items):` gives the index with each item (`enumerate(items, 1)` starts at 1). `for a, b in zip(xs, ys):` walks two sequences together and stops at the shorter; `zip(xs, ys, strict=True)` raises if their lengths differ.',
  },
  {
    id: 'sort-key',
    questions: ['How do I sort a list of dicts by a field?', 'Sort objects by an attribute.'],
    answer:
      '`sorted(rows, key=lambda r: r["age"])` returns a new list; `rows.sort(key=...)` sorts in place. Add `reverse=True` for descending order; `operator.itemgetter("age")` or `attrgetter("age")` are faster keys.',
  },
  {
    id: 'main-guard',
    questions: ['What does `if __name__ == "__main__":` do?', 'Why do scripts check `__name__`?'],
    answer:
      'A module run as a script has `__name__` set to `"__main__"`; imported, it has its module name. The guard runs the code under it only when the file is run directly, not when another module imports it.',
  },
  {
    id: 'walrus',
    questions: ['What is the walrus operator?', 'What does `:=` mean in Python?'],
    answer:
      '`:=` (Python 3.8+) assigns inside an expression and yields the value: `while (line := f.readline()):` reads and tests in one step. It cannot assign to an attribute or a subscript.',
  },
]
