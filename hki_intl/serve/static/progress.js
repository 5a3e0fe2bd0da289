// The draft page follows a running build: it asks for the progress every second and a half and
// shows it; when the build ends it reloads the page (which then shows the reports or the failure).
// Without script the page has a refresh link.
const draft = document.getElementById("draft");
if (draft && draft.dataset.state === "running") {
  const stateLine = document.getElementById("draft-state");
  const bar = document.getElementById("draft-progress");
  const follow = async () => {
    try {
      const response = await fetch(draft.dataset.progressUrl, {headers: {Accept: "application/json"}});
      const progress = response.ok ? await response.json() : null;
      if (progress && progress.state !== "running") {
        window.location.reload();
        return;
      }
      if (progress) {
        stateLine.textContent = progress.text;
        if (bar) {
          bar.max = Math.max(progress.total, 1);
          bar.value = progress.done;
          bar.textContent = `${progress.done} / ${progress.total}`;
        }
      }
    } catch (error) {
      // the server is restarting or the network is down: try again at the next tick
    }
    window.setTimeout(follow, 1500);
  };
  window.setTimeout(follow, 1500);
}
