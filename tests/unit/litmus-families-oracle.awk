# SPDX-License-Identifier: MIT
# litmus-families-oracle.awk: the final states of a test written by
# litmus-families.sh, found operationally, for the family tests to check
# the models against: under sc every event takes effect in program order;
# under tso each thread's stores go through a FIFO buffer, so a load may
# take effect before the stores po-before it, never before a load or
# after a store po-after it. Prints one line per state, registers sorted.
# Usage: awk -v model=sc|tso -f litmus-families-oracle.awk FILE.litmus
function run(d, i, p, q, kind, arg, saved, v, s, key) {
	# is every event done?
	if (d == total) {
		s = ""
		for (i = 1; i <= nregs; i++)
			s = s sprintf("%s=%d; ", regname[i], reg[i])
		out[substr(s, 1, length(s) - 1)] = 1
		return
	}
	# a state met before leads to the same final states
	key = mem["x"] "," mem["y"]
	for (p = 0; p < 2; p++)
		for (q = 1; q <= nev[p]; q++)
			key = key (done[p, q] ? "d" : ".")
	for (i = 1; i <= nregs; i++)
		key = key "," reg[i]
	if (key in seen)
		return
	seen[key] = 1
	for (p = 0; p < 2; p++)
		for (q = 1; q <= nev[p]; q++) {
			if (done[p, q] || !ready(p, q))
				continue
			kind = op[p, q]
			arg = opa[p, q]
			done[p, q] = 1
			if (kind == "S") {
				saved = mem[own[p]]
				mem[own[p]] = arg
				run(d + 1)
				mem[own[p]] = saved
			} else {
				saved = reg[arg]
				reg[arg] = mem[other[p]]
				run(d + 1)
				reg[arg] = saved
			}
			done[p, q] = 0
		}
}
# may event q of thread p take effect now?
function ready(p, q, j) {
	for (j = 1; j < q; j++) {
		if (done[p, j])
			continue
		# under tso only a store may be overtaken, by a load
		if (model == "tso" && op[p, j] == "S" && op[p, q] == "L")
			continue
		return 0
	}
	return 1
}
BEGIN { nregs = 0; total = 0; inprog = 0 }
/^P0/ || /^ P0/ { inprog = 1; p = 0 }
/^P1/ { p = 1 }
/^exists/ { inprog = 0 }
inprog && /MOV/ {
	split($0, col, "|")
	for (t = 0; t < 2; t++) {
		if (match(col[t + 1], /\[[a-z]+\],\$[0-9]+/)) {
			m = substr(col[t + 1], RSTART, RLENGTH)
			own[t] = substr(m, 2, index(m, "]") - 2)
			nev[t]++
			op[t, nev[t]] = "S"
			opa[t, nev[t]] = substr(m, index(m, "$") + 1) + 0
		} else if (match(col[t + 1], /E[A-Z]+,\[[a-z]+\]/)) {
			m = substr(col[t + 1], RSTART, RLENGTH)
			addload(t, substr(m, 1, index(m, ",") - 1),
			    substr(m, index(m, "[") + 1, length(m) - index(m, "[") - 1))
		}
	}
}
/atomic_store_explicit/ {
	match($0, /\(([a-z]+), ([0-9]+)/)
	m = substr($0, RSTART + 1, RLENGTH - 1)
	split(m, a, ", ")
	own[p] = a[1]
	nev[p]++
	op[p, nev[p]] = "S"
	opa[p, nev[p]] = a[2] + 0
}
/atomic_load_explicit/ {
	match($0, /int r[0-9]+/)
	r = substr($0, RSTART + 4, RLENGTH - 4)
	match($0, /explicit\([a-z]+/)
	addload(p, r, substr($0, RSTART + 9, RLENGTH - 9))
}
function addload(t, r, loc) {
	nregs++
	regname[nregs] = t ":" r
	other[t] = loc
	nev[t]++
	op[t, nev[t]] = "L"
	opa[t, nev[t]] = nregs
}
END {
	total = nev[0] + nev[1]
	# registers in the order the tool prints them: by name, bytewise
	for (i = 1; i <= nregs; i++)
		for (j = i + 1; j <= nregs; j++)
			if (regname[j] < regname[i]) {
				tmp = regname[i]; regname[i] = regname[j]; regname[j] = tmp
				for (p = 0; p < 2; p++)
					for (q = 1; q <= nev[p]; q++)
						if (op[p, q] == "L" && opa[p, q] == i)
							opa[p, q] = -j
						else if (op[p, q] == "L" && opa[p, q] == j)
							opa[p, q] = -i
				for (p = 0; p < 2; p++)
					for (q = 1; q <= nev[p]; q++)
						if (op[p, q] == "L" && opa[p, q] < 0)
							opa[p, q] = -opa[p, q]
			}
	mem["x"] = 0
	mem["y"] = 0
	run(0)
	for (s in out)
		print s
}
