//! TLS certificates: the leaf certificate's expiry and issuer, and whether its chain verifies
//! against the built-in roots (webpki-roots, compiled in: nothing is fetched at run time). The
//! handshake goes on even when the chain does not verify, so an expired or self-signed
//! certificate is still read and reported.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use domain::monitoring::reach::Reach;
use domain::monitoring::spec::{DEFAULT_MIN_DAYS, MonitorSpec};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::{CertInfo, Outcome, allowed};

pub(crate) struct Tls {
    provider: Arc<CryptoProvider>,
    verifier: Arc<WebPkiServerVerifier>,
}

/// Verifies like the browser would, but records the verdict instead of aborting the handshake.
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    verdict: Mutex<Option<String>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Err(e) = self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            && let Ok(mut v) = self.verdict.lock()
        {
            *v = Some(e.to_string());
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn read_cert(der: &CertificateDer<'_>, now: DateTime<Utc>) -> Option<CertInfo> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let not_after = DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0)?;
    Some(CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_after,
        days_left: (not_after - now).num_days(),
        chain_error: None,
    })
}

impl Tls {
    pub(crate) fn new() -> Tls {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = Arc::new(RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() });
        let verifier = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .unwrap_or_else(|_| unreachable!("the built-in roots are not empty"));
        Tls { provider, verifier }
    }

    fn config(&self, verifier: Arc<dyn ServerCertVerifier>) -> ClientConfig {
        ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|_| unreachable!("ring supports the default protocol versions"))
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth()
    }

    /// The configuration HTTP checks use: a certificate that does not verify fails the check.
    pub(crate) fn verifying_config(&self) -> ClientConfig {
        self.config(self.verifier.clone())
    }

    pub(crate) async fn check(&self, spec: &MonitorSpec, reach: Option<&Reach>, start: Instant) -> Outcome {
        let Some((host, _)) = spec.target.rsplit_once(':') else {
            return Outcome::down(start.elapsed(), "target has no port");
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let Ok(name) = ServerName::try_from(host.to_string()) else {
            return Outcome::down(start.elapsed(), "not a valid server name");
        };
        let recording = Arc::new(Recording { inner: self.verifier.clone(), verdict: Mutex::new(None) });
        let connector = TlsConnector::from(Arc::new(self.config(recording.clone())));
        // A restricted check connects to the checked addresses; the name stays for SNI and
        // verification.
        let connected = match reach {
            None => TcpStream::connect(&spec.target).await,
            Some(reach) => match allowed::of_host_port(reach, &spec.target).await {
                Ok(addrs) => TcpStream::connect(addrs.as_slice()).await,
                Err(e) => return Outcome::down(start.elapsed(), e),
            },
        };
        let tcp = match connected {
            Ok(s) => s,
            Err(e) => return Outcome::down(start.elapsed(), format!("connect failed: {e}")),
        };
        let stream = match connector.connect(name, tcp).await {
            Ok(s) => s,
            Err(e) => return Outcome::down(start.elapsed(), format!("handshake failed: {e}")),
        };
        let latency = start.elapsed();
        let leaf = stream.get_ref().1.peer_certificates().and_then(|c| c.first().cloned());
        let Some(mut cert) = leaf.and_then(|der| read_cert(&der, Utc::now())) else {
            return Outcome::down(latency, "no readable certificate");
        };
        cert.chain_error = recording.verdict.lock().ok().and_then(|v| v.clone());
        let min_days = i64::from(spec.expect.min_days.unwrap_or(DEFAULT_MIN_DAYS));
        let error = if let Some(e) = &cert.chain_error {
            Some(format!("certificate not trusted: {e}"))
        } else if cert.days_left < min_days {
            Some(format!("certificate expires in {} days", cert.days_left))
        } else if spec.expect.issuer.as_deref().is_some_and(|i| !cert.issuer.contains(i)) {
            Some(format!("unexpected issuer: {}", cert.issuer))
        } else {
            None
        };
        let mut o = if let Some(e) = error { Outcome::down(latency, e) } else { Outcome::up(latency) };
        o.cert = Some(cert);
        o
    }
}
