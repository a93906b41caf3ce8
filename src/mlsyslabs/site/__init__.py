"""The browser edition: every ready lab as a static site that runs in the learner's
browser (Pyodide), online or fully offline, with a durable ledger in browser storage.
See build.py (the site), runtime.py (Pyodide and wheels), ledger_io.py (export and
import) and ledger/browser_store.py (the ledger in the browser)."""
