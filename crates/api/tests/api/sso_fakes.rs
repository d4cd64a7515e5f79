//! Identity providers the single sign-on tests start: a small OpenID Connect provider (discovery,
//! authorize, token with PKCE, JWKS, user info; ID tokens signed ES256 by a key made per run), a
//! CAS server (login and `p3/serviceValidate`), and OpenLDAP's slapd from the distribution.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    base
}

fn es256_key() -> (Vec<u8>, Value) {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let point = pair.public_key().as_ref();
    let jwk = json!({"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65])});
    (pkcs8.as_ref().to_vec(), jwk)
}

/// A code the provider handed out, and what it was bound to.
#[derive(Clone)]
struct Grant {
    redirect_uri: String,
    challenge: String,
    nonce: String,
    claims: Value,
}

#[derive(Default)]
struct OidcState {
    issuer: String,
    key: Vec<u8>,
    /// Signs with this instead (a forger's key) when set.
    forged: Option<Vec<u8>>,
    jwks: Value,
    /// The person who "signs in" at the next authorize.
    next: Value,
    grants: HashMap<String, Grant>,
    /// Codes exchanged, by code (the access token names its code).
    issued: HashMap<String, Grant>,
    /// Every authorize request's query, for the tests to inspect.
    authorize_queries: Vec<HashMap<String, String>>,
}

pub const CLIENT_ID: &str = "yunwei";
pub const CLIENT_SECRET: &str = "s3cret";

#[derive(Clone)]
pub struct Oidc {
    pub issuer: String,
    state: Arc<Mutex<OidcState>>,
}

impl Oidc {
    pub async fn start() -> Oidc {
        let state: Arc<Mutex<OidcState>> = Arc::default();
        let (s1, s2, s3, s4, s5) = (state.clone(), state.clone(), state.clone(), state.clone(), state.clone());
        let app = axum::Router::new()
            .route(
                "/.well-known/openid-configuration",
                axum::routing::get(move || {
                    let iss = s1.lock().unwrap().issuer.clone();
                    async move {
                        axum::Json(json!({"issuer": iss, "authorization_endpoint": format!("{iss}/authorize"),
                            "token_endpoint": format!("{iss}/token"), "jwks_uri": format!("{iss}/jwks"),
                            "userinfo_endpoint": format!("{iss}/userinfo")}))
                    }
                }),
            )
            .route(
                "/authorize",
                axum::routing::get(move |Query(q): Query<HashMap<String, String>>| {
                    let mut st = s2.lock().unwrap();
                    st.authorize_queries.push(q.clone());
                    let code = format!("code-{}", st.grants.len() + st.issued.len() + 1);
                    let grant = Grant {
                        redirect_uri: q.get("redirect_uri").cloned().unwrap_or_default(),
                        challenge: q.get("code_challenge").cloned().unwrap_or_default(),
                        nonce: q.get("nonce").cloned().unwrap_or_default(),
                        claims: st.next.clone(),
                    };
                    st.grants.insert(code.clone(), grant.clone());
                    let mut to = url::Url::parse(&grant.redirect_uri).unwrap();
                    to.query_pairs_mut()
                        .append_pair("code", &code)
                        .append_pair("state", q.get("state").map_or("", |s| s));
                    let to = to.to_string();
                    async move { (StatusCode::FOUND, [(header::LOCATION, to)]).into_response() }
                }),
            )
            .route(
                "/token",
                axum::routing::post(move |headers: HeaderMap, Form(f): Form<HashMap<String, String>>| {
                    let answer = token(&s3, &headers, &f);
                    async move { answer }
                }),
            )
            .route(
                "/jwks",
                axum::routing::get(move || {
                    let jwks = s4.lock().unwrap().jwks.clone();
                    async move { axum::Json(jwks) }
                }),
            )
            .route(
                "/userinfo",
                axum::routing::get(move |headers: HeaderMap| {
                    let bearer =
                        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    let st = s5.lock().unwrap();
                    let claims = bearer
                        .strip_prefix("Bearer at-")
                        .and_then(|code| st.issued.get(code))
                        .map(|g| json!({"sub": g.claims["sub"], "department": "大数据局"}));
                    async move {
                        match claims {
                            Some(c) => axum::Json(c).into_response(),
                            None => StatusCode::UNAUTHORIZED.into_response(),
                        }
                    }
                }),
            );
        let issuer = serve(app).await;
        let (key, mut jwk) = es256_key();
        jwk["kid"] = json!("k1");
        {
            let mut st = state.lock().unwrap();
            st.issuer = issuer.clone();
            st.key = key;
            st.jwks = json!({"keys": [jwk]});
        }
        Oidc { issuer, state }
    }

    /// Who signs in next.
    pub fn next(&self, claims: Value) {
        self.state.lock().unwrap().next = claims;
    }

    /// Signs tokens with a key not in the published set from now on.
    pub fn forge(&self) {
        self.state.lock().unwrap().forged = Some(es256_key().0);
    }

    pub fn last_authorize(&self) -> HashMap<String, String> {
        self.state.lock().unwrap().authorize_queries.last().cloned().unwrap_or_default()
    }
}

fn token(state: &Arc<Mutex<OidcState>>, headers: &HeaderMap, f: &HashMap<String, String>) -> Response {
    let bad = |e: &str| (StatusCode::BAD_REQUEST, axum::Json(json!({"error": e}))).into_response();
    let basic =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}")));
    if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(basic.as_str()) {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": "invalid_client"}))).into_response();
    }
    let mut st = state.lock().unwrap();
    let code = f.get("code").cloned().unwrap_or_default();
    // A code is good once.
    let Some(grant) = st.grants.remove(&code) else {
        return bad("invalid_grant");
    };
    st.issued.insert(code.clone(), grant.clone());
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    if f.get("grant_type").map(String::as_str) != Some("authorization_code")
        || f.get("redirect_uri") != Some(&grant.redirect_uri)
        || URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge
    {
        return bad("invalid_grant");
    }
    let mut claims = grant.claims.clone();
    let now = chrono::Utc::now().timestamp();
    claims["iss"] = json!(st.issuer);
    claims["aud"] = json!(CLIENT_ID);
    claims["iat"] = json!(now);
    claims["exp"] = json!(now + 300);
    claims["nonce"] = json!(grant.nonce);
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    h.kid = Some("k1".into());
    let key = st.forged.clone().unwrap_or_else(|| st.key.clone());
    let id_token = jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_ec_der(&key)).unwrap();
    axum::Json(json!({"id_token": id_token, "access_token": format!("at-{code}"), "token_type": "Bearer"}))
        .into_response()
}

/// A CAS user and their attributes.
type Person = (String, Vec<(String, String)>);

/// A CAS server: `/cas/login` hands a ticket for the service straight back; the ticket
/// validates once, for that service only.
#[derive(Clone)]
pub struct Cas {
    pub server_url: String,
    /// The next person: user and attributes.
    next: Arc<Mutex<Person>>,
}

impl Cas {
    pub async fn start() -> Cas {
        let tickets: Arc<Mutex<HashMap<String, (String, Person)>>> = Arc::default();
        let next: Arc<Mutex<Person>> = Arc::default();
        let (t1, t2, n1) = (tickets.clone(), tickets.clone(), next.clone());
        let app = axum::Router::new()
            .route(
                "/cas/login",
                axum::routing::get(move |Query(q): Query<HashMap<String, String>>| {
                    let service = q.get("service").cloned().unwrap_or_default();
                    let mut t = t1.lock().unwrap();
                    let ticket = format!("ST-{}", t.len() + 1);
                    t.insert(ticket.clone(), (service.clone(), n1.lock().unwrap().clone()));
                    let mut to = url::Url::parse(&service).unwrap();
                    to.query_pairs_mut().append_pair("ticket", &ticket);
                    let to = to.to_string();
                    async move { (StatusCode::FOUND, [(header::LOCATION, to)]).into_response() }
                }),
            )
            .route(
                "/cas/p3/serviceValidate",
                axum::routing::get(move |Query(q): Query<HashMap<String, String>>| {
                    let found = t2.lock().unwrap().remove(q.get("ticket").map_or("", |s| s));
                    let body = match found {
                        Some((service, (user, attrs))) if Some(&service) == q.get("service") => {
                            let a: String = attrs.iter().map(|(k, v)| format!("<cas:{k}>{v}</cas:{k}>")).collect();
                            format!(
                                "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\"><cas:authenticationSuccess>\
                                 <cas:user>{user}</cas:user><cas:attributes>{a}</cas:attributes>\
                                 </cas:authenticationSuccess></cas:serviceResponse>"
                            )
                        }
                        _ => "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\
                              <cas:authenticationFailure code=\"INVALID_TICKET\">not recognized</cas:authenticationFailure>\
                              </cas:serviceResponse>"
                            .to_string(),
                    };
                    async move { ([(header::CONTENT_TYPE, "application/xml")], body) }
                }),
            );
        let base = serve(app).await;
        Cas { server_url: format!("{base}/cas"), next }
    }

    pub fn next(&self, user: &str, attributes: &[(&str, &str)]) {
        *self.next.lock().unwrap() =
            (user.to_string(), attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
    }
}

/// OpenLDAP's slapd on a free port with a throwaway database: `ou=people` with zhang (in group
/// ops) and li (in no group), `ou=groups` with `cn=ops`. Stopped when dropped.
pub struct Slapd {
    pub url: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const LDAP_BASE: &str = "dc=yunwei,dc=test";
pub const LDAP_ADMIN: &str = "cn=admin,dc=yunwei,dc=test";
pub const LDAP_ADMIN_PW: &str = "Admin#Ldap1";

impl Slapd {
    /// None when slapd is not installed (outside CI); in CI its absence is a failure.
    pub fn start() -> Option<Slapd> {
        let slapd = ["/usr/sbin/slapd", "/usr/local/sbin/slapd"].into_iter().find(|p| std::path::Path::new(p).exists());
        let Some(slapd) = slapd else {
            assert!(std::env::var("CI").is_err(), "slapd is required in CI (Debian package slapd)");
            eprintln!("slapd is not installed here: the LDAP sign-in test is skipped (CI runs it)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("db")).unwrap();
        let modules = ["/usr/lib/ldap", "/usr/lib/x86_64-linux-gnu/ldap", "/usr/lib/aarch64-linux-gnu/ldap"]
            .into_iter()
            .find(|p| {
                std::path::Path::new(p).join("back_mdb.la").exists()
                    || std::path::Path::new(p).join("back_mdb.so").exists()
            });
        let module_lines = modules.map(|m| format!("modulepath {m}\nmoduleload back_mdb\n")).unwrap_or_default();
        let conf = format!(
            "include /etc/ldap/schema/core.schema\ninclude /etc/ldap/schema/cosine.schema\n\
             include /etc/ldap/schema/inetorgperson.schema\n{module_lines}pidfile {dir}/slapd.pid\n\
             database mdb\nmaxsize 10485760\nsuffix \"{LDAP_BASE}\"\nrootdn \"{LDAP_ADMIN}\"\nrootpw {LDAP_ADMIN_PW}\n\
             directory {dir}/db\n",
            dir = d.display()
        );
        std::fs::write(d.join("slapd.conf"), conf).unwrap();
        let ldif = format!(
            "dn: {LDAP_BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: yunwei\no: Yunwei\n\n\
             dn: ou=people,{LDAP_BASE}\nobjectClass: organizationalUnit\nou: people\n\n\
             dn: ou=groups,{LDAP_BASE}\nobjectClass: organizationalUnit\nou: groups\n\n\
             dn: uid=zhang,ou=people,{LDAP_BASE}\nobjectClass: inetOrgPerson\nuid: zhang\ncn: 张三\nsn: 张\n\
             mail: zhang@sjj.gov.cn\nuserPassword: Zhang#2026\n\n\
             dn: uid=li,ou=people,{LDAP_BASE}\nobjectClass: inetOrgPerson\nuid: li\ncn: 李四\nsn: 李\nuserPassword: Li#2026x\n\n\
             dn: cn=ops,ou=groups,{LDAP_BASE}\nobjectClass: groupOfNames\ncn: ops\nmember: uid=zhang,ou=people,{LDAP_BASE}\n"
        );
        std::fs::write(d.join("data.ldif"), ldif).unwrap();
        let slapadd = std::path::Path::new(slapd).with_file_name("slapadd");
        let out = Command::new(slapadd)
            .args(["-f", &d.join("slapd.conf").display().to_string(), "-l", &d.join("data.ldif").display().to_string()])
            .output()
            .unwrap();
        assert!(out.status.success(), "slapadd: {}", String::from_utf8_lossy(&out.stderr));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("ldap://127.0.0.1:{port}");
        let mut child = Command::new(slapd)
            .args(["-f", &d.join("slapd.conf").display().to_string(), "-h", &format!("{url}/"), "-d", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(Slapd { url, child, _dir: dir });
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("slapd did not start on {url}");
    }
}
