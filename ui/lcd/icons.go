package lcd

// Icons is one size of the status icons. A "struck" icon is the same
// picture with a slash through it: the state it names is absent or failed.
type Icons struct {
	Link, LinkDown     *Bitmap // LAN cable plugged in / out
	Key, KeyFailed     *Bitmap // 802.1X authenticated / failed or held
	Phone, PhoneFailed *Bitmap // a line registered / not registered
	Pending            *Bitmap // 802.1X or a registration under way
	Lock               *Bitmap // signalling and media encrypted
	Shield             *Bitmap // signalling authenticated, media in clear
	Message            *Bitmap // a message is waiting
	Cursor             *Bitmap // the row pointer of a list
}

// All lists the icons in a set with their names, for pictures of the set.
func (s *Icons) All() []NamedIcon {
	return []NamedIcon{
		{"link", s.Link}, {"link-down", s.LinkDown},
		{"key", s.Key}, {"key-failed", s.KeyFailed},
		{"phone", s.Phone}, {"phone-failed", s.PhoneFailed},
		{"pending", s.Pending}, {"lock", s.Lock}, {"shield", s.Shield},
		{"message", s.Message}, {"cursor", s.Cursor},
	}
}

// NamedIcon is an icon and what it is called.
type NamedIcon struct {
	Name string
	*Bitmap
}

// LargeIcons are 11 pixels tall, for 240-line panels.
var LargeIcons = func() *Icons {
	s := &Icons{
		Link: art(`
			###########
			#.........#
			#.#.#.#.#.#
			#.#.#.#.#.#
			#.#.#.#.#.#
			#.........#
			#.........#
			###.....###
			..#.....#..
			..#######..
			...........`),
		Key: art(`
			.............
			.............
			.............
			.###.........
			#####........
			##.##########
			#####...##.##
			.###....##.##
			.............
			.............
			.............`),
		KeyFailed: art(`
			................
			................
			...........#...#
			.###........#.#.
			#####........#..
			##.#######..#.#.
			#####..#.#.#...#
			.###...#.#......
			................
			................
			................`),
		Phone: art(`
			...........
			.#########.
			###########
			##.......##
			...#####...
			..#######..
			.##.#.#.##.
			.#########.
			.##.#.#.##.
			.#########.
			...........`),
		Pending: art(`
			#########
			.#.....#.
			.#.....#.
			..#.#.#..
			...#.#...
			....#....
			...#.#...
			..#...#..
			.#..#..#.
			.#.###.#.
			#########`),
		Lock: art(`
			..#####..
			.##...##.
			.#.....#.
			.#.....#.
			#########
			#########
			####.####
			####.####
			####.####
			#########
			#########`),
		Shield: art(`
			....#....
			..##.##..
			##.....##
			#.......#
			#.......#
			#.......#
			.#.....#.
			.#.....#.
			..#...#..
			...#.#...
			....#....`),
		Message: art(`
			.............
			#############
			##.........##
			#.#.......#.#
			#..#.....#..#
			#...#...#...#
			#....#.#....#
			#.....#.....#
			#...........#
			#############
			.............`),
		Cursor: art(`
			.....
			.....
			#....
			##...
			###..
			####.
			###..
			##...
			#....
			.....
			.....`),
	}
	s.LinkDown, s.PhoneFailed = Struck(s.Link), Struck(s.Phone)
	return s
}()

// SmallIcons are 7 pixels tall, for 64-line panels.
var SmallIcons = func() *Icons {
	s := &Icons{
		Link: art(`
			#######
			#.#.#.#
			#.#.#.#
			#.....#
			##...##
			.#...#.
			.#####.`),
		Key: art(`
			........
			###.....
			#.######
			###.#.##
			........
			........
			........`),
		KeyFailed: art(`
			...........
			###.....#.#
			#.#####..#.
			###.#.#.#.#
			...........
			...........
			...........`),
		Phone: art(`
			.#####.
			##...##
			..###..
			.#####.
			.#.#.#.
			.#####.
			.......`),
		Pending: art(`
			#####
			#...#
			.#.#.
			..#..
			.#.#.
			#.#.#
			#####`),
		Lock: art(`
			.###.
			#...#
			#...#
			#####
			##.##
			##.##
			#####`),
		Shield: art(`
			...#...
			.##.##.
			#.....#
			#.....#
			.#...#.
			..#.#..
			...#...`),
		Message: art(`
			.......
			#######
			##...##
			#.#.#.#
			#..#..#
			#######
			.......`),
		Cursor: art(`
			#..
			##.
			###
			##.
			#..
			...
			...`),
	}
	s.LinkDown, s.PhoneFailed = Struck(s.Link), Struck(s.Phone)
	return s
}()

// Struck returns b with a slash from its bottom-left to its top-right
// corner, cleared one pixel either side so that it reads across a filled
// picture.
func Struck(b *Bitmap) *Bitmap {
	out := NewBitmap(b.W, b.H)
	copy(out.bits, b.bits)
	line := func(fn func(x, y int)) {
		// One point per row, so the slash is as steep as the icon is tall.
		for y := 0; y < b.H; y++ {
			x := (b.H - 1 - y) * (b.W - 1) / max(b.H-1, 1)
			fn(x, y)
		}
	}
	line(func(x, y int) {
		out.SetBit(x-1, y, false)
		out.SetBit(x+1, y, false)
	})
	line(func(x, y int) { out.SetBit(x, y, true) })
	return out
}
