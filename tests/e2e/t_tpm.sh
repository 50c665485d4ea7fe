# shellcheck shell=bash
# Family "tpm": the log chains anchored in a TPM (swtpm) and remote
# attestation: what verify says of intact logs, of a log rewritten and
# re-signed with the agent's own key, of a deleted stream, of a PCR
# extended behind the agent's back, of a replayed answer, of another
# TPM's quotes, and of a log cut after its last checkpoint.

# swtpm_start NAME PORT: a fresh software TPM 2.0 on 127.0.0.1:PORT (control PORT+1)
swtpm_start() {
	mkdir -p "$WORK/swtpm-$1"
	swtpm socket --tpm2 --tpmstate dir="$WORK/swtpm-$1" \
		--server type=tcp,port="$2",bindaddr=127.0.0.1 --ctrl type=tcp,port=$(($2 + 1)),bindaddr=127.0.0.1 \
		--flags not-need-init,startup-clear >"$WORK/swtpm-$1.log" 2>&1 &
	AGENTS+=("$!")
	for _ in $(seq 50); do
		ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# tpm_port: a TCP port that is free, and the one after it
tpm_port() {
	local p
	for p in $(shuf -i 20000-32000 -n 50); do
		ss -Htan "sport = :$p" | grep -q . || ss -Htan "sport = :$((p + 1))" | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# verify_tpm DESC WANT_RC PATTERN ARGS...: vigil verify ARGS exits WANT_RC and prints PATTERN
verify_tpm() {
	local desc=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$VIGIL" verify "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE "$pat" <<<"$out"; then
		ok "$desc"
	else
		fail "$desc" "rc=$rc (want $want), no /$pat/ in:" "$(grep -v ': intact: seq' <<<"$out" | head -4)"
	fi
}

# busy CONTAINER: a container that opens, execs and reads a secret, for records in every stream
busy() {
	docker run -d --name "$1" --network none "$IMG" \
		sh -c 'for i in $(seq 30); do cat /etc/shadow >/dev/null; ls / >/dev/null; sleep 0.1; done' >/dev/null
}

family_tpm() {
	local pa pb mp mp2 ak pub logs nonce nonce2 d out n
	pa=$(tpm_port) && swtpm_start a "$pa" || { fail "tpm: swtpm starts" "$(cat "$WORK/swtpm-a.log" 2>/dev/null)"; return; }
	mp=$(tpm_port)
	logs=$WORK/tpm-logs
	agent_start tpm --metrics "127.0.0.1:$mp" --log-dir "$logs" --log-checkpoint 50,1 \
		--tpm "swtpm:host=127.0.0.1,port=$pa" --tpm-interval 1 || { fail "tpm: agent starts on swtpm"; return; }
	ak=$WORK/state-tpm/tpm-ak.pem
	pub=$WORK/state-tpm/log-signing.key.pub
	check "the agent anchors its chains in PCR 14 and says by which attestation key" \
		grep -q "anchored in PCR 14 of the TPM at swtpm:.*quotes by attestation key sha256:" "$ERR"
	check "the attestation key's public half is in the state dir (PEM)" grep -q "BEGIN PUBLIC KEY" "$ak"
	busy "$TAG-tpm-1"
	sleep 2
	# live: the agent still writes while the verifier asks for proof
	verify_tpm "remote attestation of the live logs: the TPM's quote over a fresh nonce, PCR replayed, heads in the files" \
		0 "attestation: intact: [0-9]+ anchor" --remote "http://127.0.0.1:$mp/attest" --ak "$ak" --pubkey "$pub" "$logs"
	docker wait "$TAG-tpm-1" >/dev/null 2>&1
	docker rm -f "$TAG-tpm-1" >/dev/null 2>&1
	sleep 4	# nothing new to write: checkpoints and anchors rest
	out=$(curl -s --max-time 3 "http://127.0.0.1:$mp/metrics")
	check "anchors and attestations are counted on /metrics, none failed" bash -c \
		'grep -qE "^vigil_tpm_anchors_total [1-9]" <<<"$1" && grep -qE "^vigil_tpm_attestations_total [1-9]" <<<"$1" &&
		 grep -qE "^vigil_tpm_anchor_failures_total 0$" <<<"$1"' _ "$out"
	check "the time spent sealing the log lines is counted on /metrics, for no more lines than the files hold" bash -c \
		'n=$(awk "/^vigil_log_sealed_total /{print \$2}" <<<"$1"); s=$(awk "/^vigil_log_seal_seconds_total /{print \$2}" <<<"$1")
		 [ "${n:-0}" -gt 0 ] && [ "$n" -le "$(cat "$2"/*.json | wc -l)" ] && awk -v s="$s" "BEGIN{exit !(s > 0)}"' \
		_ "$out" "$logs"
	awk '/^vigil_tpm_anchors_total /{n=$2} /^vigil_tpm_anchor_seconds_total /{s=$2}
		END{if (n) printf "# tpm: %d anchors, %.1f ms each on swtpm (PCR read, extend, quote)\n", n, s*1000/n}' <<<"$out"
	n=$(cat "$logs"/*.json | grep -c '"type":"tpm"')
	sleep 3
	check "an idle agent stops anchoring (no anchor of an anchor)" test "$(cat "$logs"/*.json | grep -c '"type":"tpm"')" = "$n"

	# a saved answer is good for its own nonce only
	nonce=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	nonce2=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	curl -s --max-time 10 -X POST -d "{\"nonce\":\"$nonce\"}" "http://127.0.0.1:$mp/attest" >"$WORK/answer.json"
	verify_tpm "a saved answer verifies for the nonce it was asked with" \
		0 "attestation: intact" --answer "$WORK/answer.json" --nonce "$nonce" --ak "$ak" "$logs"
	verify_tpm "the same answer replayed to a new nonce fails" \
		1 "replayed answer" --answer "$WORK/answer.json" --nonce "$nonce2" --ak "$ak" "$logs"
	check "POST /attest without a nonce is refused (400)" \
		test "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' "http://127.0.0.1:$mp/attest")" = 400
	out=$(for _ in $(seq 12); do
		curl -s -o /dev/null -w '%{http_code}\n' -X POST -d "{\"nonce\":\"$nonce\"}" "http://127.0.0.1:$mp/attest"
	done)
	check "a flood of attestation requests is cut at 5 a second (429), so the TPM keeps anchoring" \
		bash -c 'grep -qx 429 <<<"$1" && grep -qx 200 <<<"$1"' _ "$out"
	sleep 1.2

	# a log cut after its last checkpoint: the agent reports a head the files no longer hold
	d=$WORK/tpm-cut
	rm -rf "$d" && cp -a "$logs" "$d"
	verify_tpm "remote attestation of a quiet copy is intact (so what follows is the cut's doing)" \
		0 "attestation: intact" --remote "http://127.0.0.1:$mp/attest" --ak "$ak" --pubkey "$pub" "$d"
	n=$(wc -l <"$d/file.json")
	head -n $((n - 1)) "$d/file.json" >"$d/f" && mv "$d/f" "$d/file.json"
	verify_tpm "remote attestation of a log cut after its last checkpoint fails: truncated tail" \
		1 "truncated tail" --remote "http://127.0.0.1:$mp/attest" --ak "$ak" --pubkey "$pub" "$d"
	agent_stop

	check "the stopped agent's logs end with anchors: a tpm record before each shutdown checkpoint" \
		bash -c '[ "$(tail -n 2 "$1" | head -1 | jq -r .type)" = tpm ] && [ "$(tail -n 1 "$1" | jq -r .reason)" = shutdown ]' _ "$logs/exec.json"
	n=$(cat "$logs"/*.json | grep -c '"type":"tpm"')
	verify_tpm "offline: every anchor ($n) is quoted by the AK and all replay as one PCR history" \
		0 "tpm: [0-9]+ anchor\(s\), each quoted by AK .* replay as one history" --ak "$ak" --pubkey "$pub" "$logs"

	# root edits a record and re-signs the chain with the agent's own key
	d=$WORK/tpm-resign
	rm -rf "$d" && cp -a "$logs" "$d"
	sed -i '0,/\/etc\/shadow/s//\/etc\/hostname/' "$d/file.json"
	"$ROOT/build/helpers/vigil-reseal" "$WORK/state-tpm/log-signing.key" "$d/file.json"
	verify_tpm "a log rewritten and re-signed with the agent's key passes the signatures alone" \
		0 "file: intact" --pubkey "$pub" "$d"
	verify_tpm "... and fails against the TPM: the anchored head is not the rewritten one" \
		1 "file: DAMAGED: modified .*TPM anchored another head" --ak "$ak" --pubkey "$pub" "$d"

	# a whole stream's files deleted: the PCR history has a hole
	d=$WORK/tpm-nostream
	rm -rf "$d" && cp -a "$logs" "$d"
	rm "$d"/net.json*
	verify_tpm "a stream's files deleted leave a hole in the PCR history: 'deleted'" \
		1 "DAMAGED: deleted .*PCR was extended" --ak "$ak" --pubkey "$pub" "$d"

	# a second TPM: its quotes are not this machine's
	pb=$(tpm_port) && swtpm_start b "$pb" || { fail "tpm: a second swtpm starts"; return; }
	mp2=$(tpm_port)
	agent_start tpm2 --metrics "127.0.0.1:$mp2" --log-dir "$WORK/tpm2-logs" --log-checkpoint 50,1 \
		--tpm "swtpm:host=127.0.0.1,port=$pb" --tpm-interval 1 || { fail "tpm: agent starts on the second swtpm"; return; }
	check "the second TPM has another attestation key" bash -c '! cmp -s "$1" "$2"' _ "$ak" "$WORK/state-tpm2/tpm-ak.pem"
	verify_tpm "an answer quoted by another TPM fails against this machine's AK" \
		1 "not signed by the attestation key" --remote "http://127.0.0.1:$mp2/attest" --ak "$ak"
	# the PCR extended behind the agent's back, then more records anchored
	TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$pb" tpm2_pcrextend \
		14:sha256=0000000000000000000000000000000000000000000000000000000000000001 >/dev/null 2>&1
	busy "$TAG-tpm-2"
	docker wait "$TAG-tpm-2" >/dev/null 2>&1
	docker rm -f "$TAG-tpm-2" >/dev/null 2>&1
	sleep 2
	agent_stop
	verify_tpm "logs anchored in another TPM fail against this machine's AK" \
		1 "TPM anchor: the quote is not signed by the attestation key" --ak "$ak" "$WORK/tpm2-logs"
	verify_tpm "a PCR extended outside Vigil shows as a hole in its history" \
		1 "DAMAGED: deleted .*extended outside Vigil" --ak "$WORK/state-tpm2/tpm-ak.pem" "$WORK/tpm2-logs"
	out=$("$VIGIL" run --log-dir "$WORK/tpm3-logs" --state-dir "$WORK/state-tpm3" --tpm auto --duration 1 2>&1 >/dev/null)
	if [ -e /dev/tpmrm0 ]; then
		check "--tpm auto uses the machine's TPM" grep -q "anchored in PCR 14 of the TPM at device:/dev/tpmrm0" <<<"$out"
	else
		check "--tpm auto on a machine without a TPM says so and still signs" \
			grep -q "no TPM (/dev/tpmrm0): log checkpoints are signed but not anchored" <<<"$out"
	fi
}
