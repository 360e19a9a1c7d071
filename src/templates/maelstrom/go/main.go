// A Maelstrom node: it reads one JSON message per line on stdin, writes its
// messages on stdout, one per line, and logs on stderr.
//
// It answers init and nothing else yet, so `clstr test echo` fails: the echo
// stage sends echo requests. Add a handler for each message type a stage asks
// for (`clstr guide echo` says what an echo must be answered with).
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
	nodeIDs   []string
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

func handleInit(msg Message) {
	nodeID, _ = msg.Body["node_id"].(string)
	nodeIDs = nil
	if ids, ok := msg.Body["node_ids"].([]any); ok {
		for _, id := range ids {
			if s, ok := id.(string); ok {
				nodeIDs = append(nodeIDs, s)
			}
		}
	}
	log.Printf("node %s started; the cluster is %s", nodeID, strings.Join(nodeIDs, ", "))
	reply(msg, map[string]any{"type": "init_ok"})
}

// One handler per message type (the body's "type").
var handlers = map[string]func(Message){
	"init": handleInit,
}

func main() {
	log.SetOutput(os.Stderr)
	in := bufio.NewScanner(os.Stdin)
	// Later stages send long messages (a broadcast read, a kafka poll): allow lines up to 64 MB.
	in.Buffer(make([]byte, 1<<20), 64<<20)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		var msg Message
		if err := json.Unmarshal([]byte(line), &msg); err != nil {
			log.Printf("not a message (%v): %s", err, line)
			continue
		}
		kind, _ := msg.Body["type"].(string)
		handler, ok := handlers[kind]
		if !ok {
			log.Printf("no handler for %q, so no reply: %s", kind, line)
			continue
		}
		handler(msg)
	}
	if err := in.Err(); err != nil {
		log.Fatalf("cannot read stdin: %v", err)
	}
}
