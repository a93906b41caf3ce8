import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Your Design Ledger")

with app.setup:
    # The browser edition's ledger page: what is stored, export to a file, import one.
    import marimo as mo

    from mlsyslabs.ledger import Ledger
    from mlsyslabs.site.ledger_io import export_bytes, export_filename, import_bytes, summary_rows


@app.cell
def _():
    ledger = Ledger.open()
    return (ledger,)


@app.cell
def _(ledger):
    _notice = ledger.notice
    mo.vstack([
        mo.md("# Your Design Ledger\n\nEvery prediction you commit and every lab you save is kept in this "
              "browser (for this site), shared by all the labs and all their tabs. Export it to keep a copy or to "
              "hand it to your instructor; import a copy on another browser to continue there."),
        mo.callout(mo.md(f"**Ledger notice.** {_notice}"), kind="warn") if _notice else mo.md(""),
    ])
    return


@app.cell
def _():
    upload = mo.ui.file(filetypes=[".json"], kind="button", label="Import a ledger file", multiple=False)
    return (upload,)


@app.cell
def _(ledger, upload):
    if upload.value:
        _f = upload.value[0]
        import_ok, import_message = import_bytes(ledger, _f.contents, _f.name)
    else:
        import_ok, import_message = None, ""
    return import_message, import_ok


@app.cell
def _(import_message, import_ok, ledger, upload):
    _rows = summary_rows(ledger)
    _export = mo.download(data=lambda: export_bytes(ledger), filename=export_filename(),
                          mimetype="application/json", label="Export my ledger")
    _result = mo.md("")
    if import_ok is not None:
        _result = mo.callout(mo.md(import_message), kind="success" if import_ok else "danger")
    mo.vstack([
        mo.hstack([_export, upload], justify="start"),
        _result,
        mo.ui.table(_rows, selection=None, label="Labs in your ledger") if _rows
        else mo.md("_Nothing saved yet: open a lab from the gallery and commit a prediction._"),
        mo.md("[Back to the gallery](../)"),
    ])
    return


if __name__ == "__main__":
    app.run()
