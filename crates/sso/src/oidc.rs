//! OpenID Connect, authorization code flow with PKCE (S256). The provider is found through its
//! discovery document; the ID token's signature is checked against its JWKS (asymmetric
//! algorithms only), with issuer, audience, expiry and nonce. Claims from the user-info endpoint,
//! when there is one, are added to the token's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::{Result, SsoError, need, provider, setting};

/// The parts of the discovery document the flow uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
}

/// The PKCE challenge for a verifier.
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Reads the provider's discovery document; its issuer must be the configured one.
pub async fn discover(client: &crate::Client, config: &Map<String, Value>) -> Result<Discovery> {
    let issuer = need(config, "issuer")?;
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let d: Discovery = get_json(client, &url, None).await?;
    if d.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(provider(format!("发现文档中的 issuer（{}）与配置（{issuer}）不一致", d.issuer)));
    }
    Ok(d)
}

async fn get_json<T: serde::de::DeserializeOwned>(
    client: &crate::Client,
    url: &str,
    bearer: Option<&str>,
) -> Result<T> {
    let mut req = client.http.get(url);
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    let resp = req.send().await.map_err(|e| provider(format!("无法访问 {url}：{e}")))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(provider(format!("{url} 答复 HTTP {}", status.as_u16())));
    }
    resp.json().await.map_err(|e| provider(format!("{url} 的答复无法解析：{e}")))
}

/// Where the browser is sent to sign in.
pub fn authorize_url(
    d: &Discovery,
    config: &Map<String, Value>,
    redirect_uri: &str,
    state: &str,
    nonce: &str,
    verifier: &str,
) -> Result<String> {
    let mut u =
        url::Url::parse(&d.authorization_endpoint).map_err(|e| provider(format!("authorization_endpoint：{e}")))?;
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", need(config, "client_id")?)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", setting(config, "scopes").unwrap_or("openid profile email"))
        .append_pair("state", state)
        .append_pair("nonce", nonce)
        .append_pair("code_challenge", &challenge(verifier))
        .append_pair("code_challenge_method", "S256");
    Ok(u.into())
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: Option<String>,
    access_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Exchanges the code for tokens and answers the verified claims (ID token, then user info).
pub async fn exchange(
    client: &crate::Client,
    d: &Discovery,
    config: &Map<String, Value>,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
    nonce: &str,
) -> Result<Map<String, Value>> {
    let client_id = need(config, "client_id")?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
        ("client_id", client_id),
    ];
    let mut req = client.http.post(&d.token_endpoint);
    // client_secret_basic when there is a secret (the default method of the specification);
    // a public client proves itself by PKCE alone.
    if let Some(secret) = setting(config, "client_secret") {
        req = req.basic_auth(form_encode(client_id), Some(form_encode(secret)));
    }
    let resp = req.form(&form).send().await.map_err(|e| provider(format!("无法访问令牌端点：{e}")))?;
    let status = resp.status();
    let body: TokenResponse = resp.json().await.map_err(|e| provider(format!("令牌端点的答复无法解析：{e}")))?;
    if let Some(e) = body.error {
        let text = format!("身份提供方拒绝了授权码：{e} {}", body.error_description.unwrap_or_default());
        return Err(if e == "invalid_grant" { SsoError::Refused(text) } else { provider(text) });
    }
    if !status.is_success() {
        return Err(provider(format!("令牌端点答复 HTTP {}", status.as_u16())));
    }
    let id_token = body.id_token.ok_or_else(|| provider("令牌端点未返回 id_token（scope 须含 openid）"))?;
    let jwks: JwkSet = get_json(client, &d.jwks_uri, None).await?;
    let mut claims = verify(&id_token, &jwks, &d.issuer, client_id, nonce)?;
    if let (Some(info), Some(at)) = (&d.userinfo_endpoint, body.access_token.as_deref()) {
        let extra: Map<String, Value> = get_json(client, info, Some(at)).await?;
        if extra.get("sub") != claims.get("sub") {
            return Err(provider("用户信息端点返回的 sub 与 ID 令牌不一致"));
        }
        for (k, v) in extra {
            claims.entry(k).or_insert(v);
        }
    }
    Ok(claims)
}

/// The form encoding client credentials get before HTTP Basic (RFC 6749 §2.3.1).
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const ALLOWED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Checks an ID token: signed by a key of the set (by `kid`, or the only key), with an
/// asymmetric algorithm, from `issuer`, for `audience`, not expired, carrying `nonce`.
pub fn verify(token: &str, jwks: &JwkSet, issuer: &str, audience: &str, nonce: &str) -> Result<Map<String, Value>> {
    let refused = |e: &dyn std::fmt::Display| SsoError::Refused(format!("ID 令牌无效：{e}"));
    let header = jsonwebtoken::decode_header(token).map_err(|e| refused(&e))?;
    if !ALLOWED.contains(&header.alg) {
        return Err(refused(&format!("不接受的签名算法 {:?}", header.alg)));
    }
    let jwk = match &header.kid {
        Some(kid) => jwks.find(kid),
        None if jwks.keys.len() == 1 => jwks.keys.first(),
        None => None,
    }
    .ok_or_else(|| refused(&"签名密钥不在身份提供方公布的密钥集中"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| refused(&e))?;
    let mut v = Validation::new(header.alg);
    v.set_issuer(&[issuer]);
    v.set_audience(&[audience]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v).map_err(|e| refused(&e))?;
    if data.claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
        return Err(refused(&"nonce 不符（可能是重放）"));
    }
    Ok(data.claims)
}
