// Command porcupine-bench checks history files with Porcupine, so that clstr's
// own linearizability checker can be timed against it on the same inputs.
//
// It reads two history formats:
//
//   - cas-register: Jepsen etcd logs, one event a line, e.g.
//     "INFO  jepsen.util - 3	:invoke	:cas	[1 4]".
//   - kv: EDN maps, one event a line, as the 6.824 key/value tests write them, e.g.
//     {:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}.
//
// and prints one line per file, "<file> <ok|illegal|unknown> <ms>", then a
// total line. The milliseconds per file cover reading, parsing and checking
// that file (not the process start). The models below are written from the
// operations' semantics for this benchmark; Porcupine is only called through
// its public API (Model, Event, CheckEventsTimeout).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// ---------------------------------------------------------------------------
// Histories: a list of operations, each with the positions of its call and
// return among all events. Events are then handed to Porcupine in that order.

type op struct {
	client int
	input  interface{}
	output interface{}
	call   int // position of the call event
	ret    int // position of the return event; math.MaxInt until known
}

type history struct {
	ops []*op
	pos int // next event position
}

func (h *history) invoke(client int, input interface{}) *op {
	o := &op{client: client, input: input, call: h.pos, ret: math.MaxInt}
	h.pos++
	h.ops = append(h.ops, o)
	return o
}

func (h *history) complete(o *op, output interface{}) {
	o.output = output
	o.ret = h.pos
	h.pos++
}

// drop forgets an operation that definitely had no effect and observed nothing.
func (h *history) drop(o *op) {
	for i := len(h.ops) - 1; i >= 0; i-- {
		if h.ops[i] == o {
			h.ops = append(h.ops[:i], h.ops[i+1:]...)
			return
		}
	}
}

// events closes every operation still open with the given unknown output (it
// may take effect at any point after its call, or never: placing its return
// after everything else allows both) and returns Porcupine events.
func (h *history) events(unknown interface{}) []porcupine.Event {
	type ev struct {
		at int
		e  porcupine.Event
	}
	evs := make([]ev, 0, 2*len(h.ops))
	end := h.pos
	for id, o := range h.ops {
		if o.ret == math.MaxInt {
			o.output = unknown
			o.ret = end
			end++
		}
		evs = append(evs,
			ev{o.call, porcupine.Event{ClientId: o.client, Kind: porcupine.CallEvent, Value: o.input, Id: id}},
			ev{o.ret, porcupine.Event{ClientId: o.client, Kind: porcupine.ReturnEvent, Value: o.output, Id: id}})
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].at < evs[j].at })
	out := make([]porcupine.Event, len(evs))
	for i := range evs {
		out[i] = evs[i].e
	}
	return out
}

// ---------------------------------------------------------------------------
// cas-register: one register holding an integer or nothing, with read,
// write and compare-and-set.

const (
	regRead = iota
	regWrite
	regCas
)

const (
	outOk = iota
	outFail
	outUnknown
)

const regNil = math.MinInt64 // the register before any write

type regInput struct {
	f       uint8
	arg, to int64 // write: arg; cas: arg (expected) and to (new)
}

type regOutput struct {
	status uint8 // outOk, outFail (cas only: the compare failed), outUnknown
	value  int64 // read: the value read, regNil for nil
}

func regStep(state, input, output interface{}) (bool, interface{}) {
	cur := state.(int64)
	in := input.(regInput)
	out := output.(regOutput)
	switch in.f {
	case regRead:
		return out.status == outUnknown || out.value == cur, cur
	case regWrite:
		return true, in.arg
	default: // cas
		matches := cur == in.arg
		switch out.status {
		case outOk:
			return matches, in.to
		case outFail:
			return !matches, cur
		default:
			if matches {
				return true, in.to
			}
			return true, cur
		}
	}
}

func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

var casRegisterModel = porcupine.Model{
	Init:  func() interface{} { return int64(regNil) },
	Step:  regStep,
	Equal: func(a, b interface{}) bool { return a.(int64) == b.(int64) },
	Hash:  func(s interface{}) uint64 { return mix64(uint64(s.(int64))) },
}

// failAsNoop: treat a ":fail" cas as "no effect, nothing learned" (dropped)
// instead of "the compare did not match". Off by default; for comparing
// interpretations only.
var failAsNoop bool

// parseEtcd reads a Jepsen etcd log. Lines that are not client events are skipped.
func parseEtcd(path string) ([]porcupine.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := &history{}
	open := map[int]*op{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		fields := strings.Fields(sc.Text())
		// INFO jepsen.util - <process> <:type> <:f> <value...>
		dash := -1
		for i, w := range fields {
			if w == "-" {
				dash = i
				break
			}
		}
		if dash < 0 || len(fields) < dash+5 {
			continue
		}
		proc, err := strconv.Atoi(fields[dash+1])
		if err != nil {
			continue // e.g. the nemesis
		}
		typ, fn := fields[dash+2], fields[dash+3]
		val := strings.Join(fields[dash+4:], " ")
		bad := func(why string) error { return fmt.Errorf("%s:%d: %s", path, lineNo, why) }
		if typ == ":invoke" {
			if open[proc] != nil {
				return nil, bad(fmt.Sprintf("process %d invokes while its previous operation is open", proc))
			}
			var in regInput
			switch fn {
			case ":read":
				in = regInput{f: regRead}
			case ":write":
				v, err := strconv.ParseInt(val, 10, 64)
				if err != nil {
					return nil, bad("write value is not an integer")
				}
				in = regInput{f: regWrite, arg: v}
			case ":cas":
				a, b, err := pair(val)
				if err != nil {
					return nil, bad(err.Error())
				}
				in = regInput{f: regCas, arg: a, to: b}
			default:
				return nil, bad("unknown operation " + fn)
			}
			open[proc] = h.invoke(proc, in)
			continue
		}
		o := open[proc]
		if o == nil {
			return nil, bad(fmt.Sprintf("process %d completes an operation it never invoked", proc))
		}
		delete(open, proc)
		in := o.input.(regInput)
		switch typ {
		case ":ok":
			out := regOutput{status: outOk}
			if in.f == regRead {
				if val == "nil" {
					out.value = regNil
				} else if out.value, err = strconv.ParseInt(val, 10, 64); err != nil {
					return nil, bad("read value is not an integer")
				}
			}
			h.complete(o, out)
		case ":fail":
			if in.f == regCas && !failAsNoop {
				h.complete(o, regOutput{status: outFail})
			} else {
				h.drop(o) // no effect, nothing observed
			}
		case ":info":
			// Unknown outcome: the operation stays open to the end of the history.
		default:
			return nil, bad("unknown event type " + typ)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return h.events(regOutput{status: outUnknown}), nil
}

func pair(s string) (int64, int64, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return 0, 0, errors.New("cas value is not [from to]")
	}
	parts := strings.Fields(s[1 : len(s)-1])
	if len(parts) != 2 {
		return 0, 0, errors.New("cas value is not [from to]")
	}
	a, err1 := strconv.ParseInt(parts[0], 10, 64)
	b, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, errors.New("cas values are not integers")
	}
	return a, b, nil
}

// ---------------------------------------------------------------------------
// kv: string keys to string values (a missing key reads as ""), with get,
// put and append. Partitioned by key the state is one string; checked as one
// object the state is the whole map.

const (
	kvGet = iota
	kvPut
	kvAppend
)

type kvInput struct {
	f     uint8
	key   string
	value string
}

type kvOutput struct {
	unknown bool
	value   string // get: the value read
}

func fnv(s string, h uint64) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

const fnvBasis = 14695981039346656037

func kvApply(cur string, in kvInput) string {
	switch in.f {
	case kvPut:
		return in.value
	case kvAppend:
		return cur + in.value
	}
	return cur
}

var kvPerKeyModel = porcupine.Model{
	PartitionEvent: func(events []porcupine.Event) [][]porcupine.Event {
		keyOf := map[int]string{}
		byKey := map[string][]porcupine.Event{}
		var order []string
		for _, e := range events {
			var k string
			if e.Kind == porcupine.CallEvent {
				k = e.Value.(kvInput).key
				keyOf[e.Id] = k
			} else {
				k = keyOf[e.Id]
			}
			if _, seen := byKey[k]; !seen {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], e)
		}
		parts := make([][]porcupine.Event, 0, len(order))
		for _, k := range order {
			parts = append(parts, byKey[k])
		}
		return parts
	},
	Init: func() interface{} { return "" },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		cur := state.(string)
		in := input.(kvInput)
		out := output.(kvOutput)
		if in.f == kvGet {
			return out.unknown || out.value == cur, cur
		}
		return true, kvApply(cur, in)
	},
	Equal: func(a, b interface{}) bool { return a.(string) == b.(string) },
	Hash:  func(s interface{}) uint64 { return fnv(s.(string), fnvBasis) },
}

// kvMap is an immutable map state; entries with value "" are not stored, so
// that equal contents mean equal maps. hash is the XOR of entry hashes.
type kvMap struct {
	m    map[string]string
	hash uint64
}

func entryHash(k, v string) uint64 { return mix64(fnv(v, fnv(k, fnvBasis)^0xff)) }

var kvWholeModel = porcupine.Model{
	Init: func() interface{} { return &kvMap{m: map[string]string{}} },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		s := state.(*kvMap)
		in := input.(kvInput)
		out := output.(kvOutput)
		cur := s.m[in.key]
		if in.f == kvGet {
			return out.unknown || out.value == cur, s
		}
		next := kvApply(cur, in)
		if next == cur {
			return true, s
		}
		m := make(map[string]string, len(s.m)+1)
		for k, v := range s.m {
			m[k] = v
		}
		h := s.hash
		if cur != "" {
			h ^= entryHash(in.key, cur)
		}
		if next == "" {
			delete(m, in.key)
		} else {
			m[in.key] = next
			h ^= entryHash(in.key, next)
		}
		return true, &kvMap{m: m, hash: h}
	},
	Equal: func(a, b interface{}) bool {
		x, y := a.(*kvMap), b.(*kvMap)
		if x == y {
			return true
		}
		if x.hash != y.hash || len(x.m) != len(y.m) {
			return false
		}
		for k, v := range x.m {
			if w, ok := y.m[k]; !ok || w != v {
				return false
			}
		}
		return true
	},
	Hash: func(s interface{}) uint64 { return s.(*kvMap).hash },
}

// parseKv reads EDN-line maps with :process, :type, :f, :key and :value.
func parseKv(path string) ([]porcupine.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := &history{}
	open := map[int]*op{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		bad := func(why string) error { return fmt.Errorf("%s:%d: %s", path, lineNo, why) }
		m, err := ednMap(line)
		if err != nil {
			return nil, bad(err.Error())
		}
		proc, err := strconv.Atoi(m[":process"])
		if err != nil {
			continue // not a client event
		}
		typ, fn := m[":type"], m[":f"]
		if typ == ":invoke" {
			if open[proc] != nil {
				return nil, bad(fmt.Sprintf("process %d invokes while its previous operation is open", proc))
			}
			key, err := ednString(m[":key"])
			if err != nil {
				return nil, bad("key: " + err.Error())
			}
			in := kvInput{key: key}
			switch fn {
			case ":get":
				in.f = kvGet
			case ":put", ":append":
				in.f = kvPut
				if fn == ":append" {
					in.f = kvAppend
				}
				if in.value, err = ednString(m[":value"]); err != nil {
					return nil, bad("value: " + err.Error())
				}
			default:
				return nil, bad("unknown operation " + fn)
			}
			open[proc] = h.invoke(proc, in)
			continue
		}
		o := open[proc]
		if o == nil {
			return nil, bad(fmt.Sprintf("process %d completes an operation it never invoked", proc))
		}
		delete(open, proc)
		switch typ {
		case ":ok":
			out := kvOutput{}
			if o.input.(kvInput).f == kvGet {
				if m[":value"] != "nil" {
					if out.value, err = ednString(m[":value"]); err != nil {
						return nil, bad("value: " + err.Error())
					}
				}
			}
			h.complete(o, out)
		case ":fail":
			h.drop(o)
		case ":info":
			// stays open to the end
		default:
			return nil, bad("unknown event type " + typ)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return h.events(kvOutput{unknown: true}), nil
}

// ednMap splits a one-line EDN map of keywords to scalars into raw tokens.
func ednMap(s string) (map[string]string, error) {
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return nil, errors.New("not an EDN map")
	}
	s = s[1 : len(s)-1]
	m := map[string]string{}
	i := 0
	next := func() (string, error) {
		for i < len(s) && (s[i] == ' ' || s[i] == ',' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			return "", nil
		}
		start := i
		if s[i] == '"' {
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(s) {
				return "", errors.New("unterminated string")
			}
			i++
			return s[start:i], nil
		}
		for i < len(s) && s[i] != ' ' && s[i] != ',' && s[i] != '\t' {
			i++
		}
		return s[start:i], nil
	}
	for {
		k, err := next()
		if err != nil {
			return nil, err
		}
		if k == "" {
			return m, nil
		}
		v, err := next()
		if err != nil {
			return nil, err
		}
		m[k] = v
	}
}

func ednString(tok string) (string, error) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", fmt.Errorf("expected a string, got %q", tok)
	}
	body := tok[1 : len(tok)-1]
	if !strings.Contains(body, "\\") {
		return body, nil
	}
	return strconv.Unquote(tok)
}

// ---------------------------------------------------------------------------

func detect(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "{") {
			return "kv", nil
		}
		return "cas-register", nil
	}
	return "cas-register", sc.Err() // empty file: either model says ok
}

func main() {
	modelName := flag.String("model", "auto", "cas-register, kv, or auto (by the first line of each file)")
	noPartition := flag.Bool("no-partition", false, "kv: check the whole store as one object instead of per key")
	timeout := flag.Duration("timeout", 10*time.Minute, "time limit per file (0: none); beyond it the verdict is unknown")
	expect := flag.String("expect", "", "JSON file mapping \"<dir>/<file>\" (the last two path components) to true (linearizable) or false; verdicts are compared with it")
	flag.BoolVar(&failAsNoop, "fail-as-noop", false, "cas-register: treat a :fail cas as having no effect and observing nothing, instead of \"the compare did not match\"")
	quiet := flag.Bool("q", false, "print only the total line")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: %s [flags] <history files...>\n", filepath.Base(os.Args[0]))
		flag.PrintDefaults()
	}
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	var expected map[string]bool
	if *expect != "" {
		data, err := os.ReadFile(*expect)
		if err == nil {
			err = json.Unmarshal(data, &expected)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "reading %s: %v\n", *expect, err)
			os.Exit(2)
		}
	}

	counts := map[porcupine.CheckResult]int{}
	var mismatches []string
	matched := 0
	start := time.Now()
	for _, path := range files {
		t0 := time.Now()
		name := *modelName
		if name == "auto" {
			var err error
			if name, err = detect(path); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
		}
		var events []porcupine.Event
		var model porcupine.Model
		var err error
		switch name {
		case "cas-register":
			events, err = parseEtcd(path)
			model = casRegisterModel
		case "kv":
			events, err = parseKv(path)
			model = kvPerKeyModel
			if *noPartition {
				model = kvWholeModel
			}
		default:
			fmt.Fprintf(os.Stderr, "unknown model %q (cas-register, kv, auto)\n", name)
			os.Exit(2)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		res := porcupine.CheckEventsTimeout(model, events, *timeout)
		ms := float64(time.Since(t0).Microseconds()) / 1000
		counts[res]++
		verdict := strings.ToLower(string(res))
		if !*quiet {
			fmt.Printf("%s %s %.1f\n", path, verdict, ms)
		}
		if expected != nil {
			key := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
			want, ok := expected[key]
			switch {
			case !ok:
				mismatches = append(mismatches, key+": not in "+*expect)
			case (want && res == porcupine.Ok) || (!want && res == porcupine.Illegal):
				matched++
			default:
				mismatches = append(mismatches, fmt.Sprintf("%s: expected %v, got %s", key, map[bool]string{true: "ok", false: "illegal"}[want], verdict))
			}
		}
	}
	total := float64(time.Since(start).Microseconds()) / 1000
	fmt.Printf("total %d files ok=%d illegal=%d unknown=%d %.1f\n", len(files), counts[porcupine.Ok], counts[porcupine.Illegal], counts[porcupine.Unknown], total)
	if expected != nil {
		fmt.Printf("expected %d/%d match\n", matched, len(files))
		for _, m := range mismatches {
			fmt.Println("mismatch " + m)
		}
		if len(mismatches) > 0 {
			os.Exit(1)
		}
	}
}
