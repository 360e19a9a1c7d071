// A Maelstrom node: it reads one JSON message per line on stdin, writes its
// messages on stdout, one per line, and logs on stderr. It answers init and
// echo, which is all the echo stage asks; `clstr guide` says what the next
// stage adds.
package main

import (
	"bufio"
	"encoding/json"
	"log"
	"os"
	"strings"
)

type Message struct {
	Src  string         `json:"src"`
	Dest string         `json:"dest"`
	Body map[string]any `json:"body"`
}

var (
	nodeID    string
	nextMsgID int
	// os.Stdout is unbuffered: each Encode writes one whole line at once.
	out = json.NewEncoder(os.Stdout)
)

func send(dest string, body map[string]any) {
	nextMsgID++
	body["msg_id"] = nextMsgID
	if err := out.Encode(Message{Src: nodeID, Dest: dest, Body: body}); err != nil {
		log.Fatalf("cannot write to stdout: %v", err)
	}
}

func reply(request Message, body map[string]any) {
	body["in_reply_to"] = request.Body["msg_id"]
	send(request.Src, body)
}

func handle(msg Message) {
	switch msg.Body["type"] {
	case "init":
		nodeID, _ = msg.Body["node_id"].(string)
		log.Printf("node %s started; the cluster is %v", nodeID, msg.Body["node_ids"])
		reply(msg, map[string]any{"type": "init_ok"})
	case "echo":
		reply(msg, map[string]any{"type": "echo_ok", "echo": msg.Body["echo"]})
	default:
		log.Printf("no handler for %v", msg.Body["type"])
	}
}

func main() {
	log.SetOutput(os.Stderr)
	in := bufio.NewScanner(os.Stdin)
	// Later stages send long messages (a broadcast read, a kafka poll): allow lines up to 64 MB.
	in.Buffer(make([]byte, 1<<20), 64<<20)
	for in.Scan() {
		var msg Message
		if err := json.Unmarshal(in.Bytes(), &msg); err != nil {
			log.Printf("not a message (%v): %s", err, strings.TrimSpace(in.Text()))
			continue
		}
		handle(msg)
	}
	if err := in.Err(); err != nil {
		log.Fatalf("cannot read stdin: %v", err)
	}
}
