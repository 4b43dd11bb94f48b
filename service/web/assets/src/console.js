// The SQL console: Ctrl+Enter (or Cmd+Enter) runs the query in the editor.
export function initConsole() {
  const editor = document.getElementById("sql");
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      editor.form.requestSubmit();
    }
  });
}
