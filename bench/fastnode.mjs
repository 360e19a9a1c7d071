// The Node fallback of bench/fastnode.c (used when no C compiler is
// installed): answers init and echo, one write per chunk read. It costs a
// few µs of its own CPU per message; the bench prints it.
let rest = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  const lines = (rest + chunk).split("\n");
  rest = lines.pop();
  let out = "";
  for (const line of lines) {
    if (!line) continue;
    const { src, dest, body } = JSON.parse(line);
    const reply = body.type === "echo" ? { type: "echo_ok", in_reply_to: body.msg_id, echo: body.echo } : { type: `${body.type}_ok`, in_reply_to: body.msg_id };
    out += JSON.stringify({ src: dest, dest: src, body: reply }) + "\n";
  }
  if (out) process.stdout.write(out);
});
