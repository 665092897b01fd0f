// `wrangler dev` does not fire cron triggers by itself. Locally this does what
// Cloudflare does in production: at the start of every minute, run the
// scheduled handler for that minute.
const base = process.argv[2] ?? "http://127.0.0.1:8787";
const cron = "* * * * *";

function fire() {
  const minute = Math.floor(Date.now() / 60000) * 60000;
  const url = `${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron)}&time=${minute}`;
  fetch(url).catch(() => {}); // the server may still be starting
  setTimeout(fire, 60000 - (Date.now() % 60000) + 50);
}

setTimeout(fire, 60000 - (Date.now() % 60000) + 50);
