// Bearer-token verification for the auth proxy (nginx njs 0.7, run as the auth_request handler).
//
// The policy comes from nginx variables set in the /_auth location: issuer, audience, allowed algorithms,
// whether the signature, exp, nbf, iss and aud are enforced, how iss and aud are compared, and the clock leeway. Each reference-stack
// weakness flips exactly one of these variables; the code paths stay the same. Verification keys come from Identity's JWKS through
// the cached /_jwks location. njs 0.7 imports RSA keys only as SPKI, so JWKs are converted to DER here.
// Behind the verdict cache (nginx.conf), an accepted token says via X-Accel-Expires how long its verdict holds.

const RSA_ALGORITHM_ID = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

// njs 0.7 has no classes: a rejection is an Error carrying a flag.
function reject(reason) {
    const error = new Error(reason);
    error.rejection = true;
    throw error;
}

function derLength(length) {
    if (length < 0x80) {
        return [length];
    }
    const bytes = [];
    for (let rest = length; rest > 0; rest = rest >> 8) {
        bytes.unshift(rest & 0xff);
    }
    return [0x80 | bytes.length].concat(bytes);
}

function der(tag, content) {
    return [tag].concat(derLength(content.length), content);
}

function derUnsigned(bytes) {
    const value = [];
    for (let i = 0; i < bytes.length; i++) {
        value.push(bytes[i]);
    }
    while (value.length > 1 && value[0] === 0) {
        value.shift();
    }
    if (value[0] & 0x80) {
        value.unshift(0);
    }
    return der(0x02, value);
}

function spkiFromJwk(jwk) {
    const n = Buffer.from(jwk.n, 'base64url');
    const e = Buffer.from(jwk.e, 'base64url');
    const rsaPublicKey = der(0x30, derUnsigned(n).concat(derUnsigned(e)));
    return Buffer.from(der(0x30, RSA_ALGORITHM_ID.concat(der(0x03, [0].concat(rsaPublicKey)))));
}

// PEM text of an SPKI key, byte for byte what OpenSSL (and Python's cryptography) write.
function pemFromSpki(spki) {
    const body = spki.toString('base64');
    const lines = [];
    for (let i = 0; i < body.length; i += 64) {
        lines.push(body.substring(i, i + 64));
    }
    return '-----BEGIN PUBLIC KEY-----\n' + lines.join('\n') + '\n-----END PUBLIC KEY-----\n';
}

function decodeSegment(segment, what) {
    try {
        return JSON.parse(Buffer.from(segment, 'base64url').toString());
    } catch (e) {
        reject('malformed token ' + what);
    }
}

// The SPKI bytes of the published RSA key named `kid`; keys come only from Identity's JWKS, never from
// the token's own jku, x5u or jwk headers.
async function publishedKey(r, kid) {
    const reply = await r.subrequest('/_jwks');
    if (reply.status !== 200) {
        reject('signing keys unavailable');
    }
    const jwk = JSON.parse(reply.responseText).keys.find(k => k.kid === kid && k.kty === 'RSA');
    if (!jwk) {
        reject('unknown signing key');
    }
    return spkiFromJwk(jwk);
}

// HS256 is allowed only by the hs256_key_confusion weakness: the RSA public key (as PEM) becomes the
// HMAC secret, the classic RS256 -> HS256 confusion.
function hmacMatches(spki, signed, signature) {
    const expected = require('crypto').createHmac('sha256', pemFromSpki(spki)).update(signed).digest('base64url');
    return expected === signature;
}

async function verifySignature(r, head, match) {
    const allowed = r.variables.jwt_algorithms.split(' ');
    if (typeof head.alg !== 'string' || allowed.indexOf(head.alg) < 0) {
        reject('algorithm not allowed');
    }
    if (head.alg === 'none') {
        return;
    }
    const spki = await publishedKey(r, head.kid);
    const signed = match[1] + '.' + match[2];
    if (head.alg === 'HS256') {
        if (!hmacMatches(spki, signed, match[3])) {
            reject('bad signature');
        }
        return;
    }
    const key = await crypto.subtle.importKey('spki', spki, RS256, false, ['verify']);
    if (!(await crypto.subtle.verify(RS256, key, Buffer.from(match[3], 'base64url'), Buffer.from(signed)))) {
        reject('bad signature');
    }
}

function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// A string claim against the configured value: `exact` (RFC 7519 4.1.1 and 4.1.3, a case-sensitive string
// comparison), or `prefix` under the aud_prefix_match and iss_prefix_match weaknesses (the claim need only
// start with the configured value, so `zeebe-api-attacker` passes for `zeebe-api`).
function claimMatches(value, expected, rule) {
    if (typeof value !== 'string') {
        return false;
    }
    return rule === 'prefix' ? value.startsWith(expected) : value === expected;
}

function checkClaims(r, claims) {
    const now = Math.floor(Date.now() / 1000);
    const leeway = Number(r.variables.jwt_leeway_s);
    if (r.variables.jwt_check_exp === '1' && !(typeof claims.exp === 'number' && now < claims.exp + leeway)) {
        reject('token expired');
    }
    if (r.variables.jwt_check_nbf === '1' && claims.nbf !== undefined
        && !(typeof claims.nbf === 'number' && now + leeway >= claims.nbf)) {
        reject('token not yet valid');
    }
    const issuerMatches = claimMatches(claims.iss, r.variables.jwt_issuer, r.variables.jwt_iss_match);
    if (r.variables.jwt_check_iss === '1' && !issuerMatches) {
        reject('wrong issuer');
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const ours = audiences.some(a => claimMatches(a, r.variables.jwt_audience, r.variables.jwt_aud_match));
    if (r.variables.jwt_check_aud === '1' && !ours) {
        reject('wrong audience');
    }
}

async function check(r) {
    const header = r.headersIn.Authorization;
    if (!header) {
        reject('Expected bearer token at header with key [Authorization], but found nothing');
    }
    const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/.exec(header);
    if (!match) {
        reject('Failed to parse bearer token');
    }
    const head = decodeSegment(match[1], 'header');
    const claims = decodeSegment(match[2], 'payload');
    if (!isObject(head) || !isObject(claims)) {
        reject('malformed token');
    }
    if (r.variables.jwt_verify_signature === '1') {
        await verifySignature(r, head, match);
    }
    checkClaims(r, claims);
    return claims;
}

// The last second (nginx's X-Accel-Expires '@' form: cached through the end of that second) an acceptance
// of this token may be served from the verdict cache, or null for no caching. It ends before the token's
// exp and within the JWKS cache TTL from now, so an expired token or a rotated-out key is refused no later
// than without the cache plus that TTL.
function lastCachedSecond(r, claims) {
    const now = Date.now() / 1000;
    let until = now + Number(r.variables.jwt_verdict_max_s);
    if (typeof claims.exp === 'number' && claims.exp < until) {
        until = claims.exp;
    }
    const last = Math.floor(until) - 1;
    return last >= Math.floor(now) ? last : null;
}

function sleep(ms) {
    return new Promise(resolve => setTimeout(resolve, ms));
}

async function verify(r) {
    try {
        const delay = Number(r.variables.jwt_delay_ms);
        if (delay > 0) {
            await sleep(delay);
        }
        const claims = await check(r);
        const last = lastCachedSecond(r, claims);
        if (last !== null) {
            r.headersOut['X-Accel-Expires'] = '@' + last;
        }
        r.return(204);
    } catch (e) {
        const reason = e.rejection ? e.message : 'invalid bearer token';
        if (!e.rejection) {
            r.error('auth: unexpected ' + e);
        }
        r.variables.auth_error = reason;
        // Behind the verdict cache, the proxy reads the reason from this header (auth_request_set).
        r.headersOut['X-Auth-Error'] = reason;
        r.return(401);
    }
}

export default { verify };
