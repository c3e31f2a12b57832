package net8021x

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"time"
)

// tlsEngine runs a TLS client (or anything speaking a record stream) in its
// own goroutine over an in-memory net.Conn, and exchanges whole EAP messages
// with it: what the engine writes is buffered, and flushed as one message
// when it next wants to read. The method calls start once, then exchange for
// each reassembled message from the server.
type tlsEngine struct {
	in     chan engineIn
	out    chan engineOut
	cancel chan struct{}
	once   sync.Once
	wg     sync.WaitGroup

	// Owned by the engine goroutine.
	rbuf     bytes.Buffer
	wbuf     bytes.Buffer
	id       uint8    // EAP identifier of the request being served
	decision Decision // what the engine's protocol allows a Success to mean
	reason   error    // why the tunnel's inner method failed, if it did
	finished bool     // set by the method when it ended
}

type engineIn struct {
	id   uint8
	data []byte
}

// engineOut is one flushed message; done is set when the engine's function
// returned (with err).
type engineOut struct {
	data     []byte
	decision Decision
	reason   error
	done     bool
	err      error
}

var errEngineClosed = errors.New("TLS engine closed")

func newTLSEngine() *tlsEngine {
	return &tlsEngine{in: make(chan engineIn), out: make(chan engineOut), cancel: make(chan struct{})}
}

// start runs fn in the engine goroutine and returns its first message.
func (e *tlsEngine) start(id uint8, fn func(c net.Conn) error) engineOut {
	e.id = id
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		err := fn(engineConn{e})
		last := engineOut{data: e.takeOut(), decision: e.decision, reason: e.reason, done: true, err: err}
		select {
		case e.out <- last:
		case <-e.cancel:
		}
	}()
	return e.wait()
}

// exchange hands the engine one message and returns its answer.
func (e *tlsEngine) exchange(id uint8, msg []byte) engineOut {
	select {
	case e.in <- engineIn{id: id, data: msg}:
	case <-e.cancel:
		return engineOut{done: true, err: errEngineClosed}
	}
	return e.wait()
}

func (e *tlsEngine) wait() engineOut {
	select {
	case o := <-e.out:
		if o.done {
			e.finished = true
		}
		return o
	case <-e.cancel:
		return engineOut{done: true, err: errEngineClosed}
	}
}

// close stops the engine goroutine and waits for it.
func (e *tlsEngine) close() {
	e.once.Do(func() { close(e.cancel) })
	e.wg.Wait()
}

func (e *tlsEngine) takeOut() []byte {
	b := bytes.Clone(e.wbuf.Bytes())
	e.wbuf.Reset()
	return b
}

// read is the engine side of engineConn.Read.
func (e *tlsEngine) read(p []byte) (int, error) {
	for e.rbuf.Len() == 0 {
		// An empty message from the server (an ACK) gets whatever is
		// pending, possibly nothing, and the engine waits again.
		select {
		case e.out <- engineOut{data: e.takeOut(), decision: e.decision, reason: e.reason}:
		case <-e.cancel:
			return 0, errEngineClosed
		}
		select {
		case m := <-e.in:
			e.id = m.id
			e.rbuf.Write(m.data)
		case <-e.cancel:
			return 0, errEngineClosed
		}
	}
	return e.rbuf.Read(p)
}

// engineConn is the net.Conn crypto/tls runs over.
type engineConn struct{ e *tlsEngine }

var _ net.Conn = engineConn{}

func (c engineConn) Read(p []byte) (int, error)       { return c.e.read(p) }
func (c engineConn) Write(p []byte) (int, error)      { return c.e.wbuf.Write(p) }
func (c engineConn) Close() error                     { return nil }
func (c engineConn) LocalAddr() net.Addr              { return eapAddr{} }
func (c engineConn) RemoteAddr() net.Addr             { return eapAddr{} }
func (c engineConn) SetDeadline(time.Time) error      { return nil }
func (c engineConn) SetReadDeadline(time.Time) error  { return nil }
func (c engineConn) SetWriteDeadline(time.Time) error { return nil }

type eapAddr struct{}

func (eapAddr) Network() string { return "eap" }
func (eapAddr) String() string  { return "eap" }
