// A real OpenID provider for the console's browser tests (test-only; never
// shipped). crates/testkit/src/idp.rs copies this file next to the
// node_modules that `npm ci` put in target/console-node/ and starts it with:
//   ISSUER         http://localhost:PORT (another site than the console's
//                  http://127.0.0.1:Q, so the tests exercise cross-site
//                  cookies as production does)
//   PORT           where to listen
//   CLIENT_ID      the console's client id
//   CLIENT_SECRET  its secret (client_secret_basic); empty: a public client
//   REDIRECT_URI   the console's /console/auth/callback
//   USERS          JSON: { "login": { "name": "...", "roles": ["case:read"] } }
// The development interactions sign in whatever login is typed (any
// password); a login not in USERS is refused by findAccount.
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const issuer = env('ISSUER');
const clientId = env('CLIENT_ID');
const clientSecret = process.env.CLIENT_SECRET || '';
const users = JSON.parse(env('USERS'));

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    ...(clientSecret
      ? { client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_basic' }
      : { token_endpoint_auth_method: 'none' }),
    redirect_uris: [env('REDIRECT_URI')],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  findAccount: async (ctx, sub) => {
    const user = users[sub];
    if (!user) return undefined;
    return {
      accountId: sub,
      claims: async () => ({ sub, name: user.name, roles: user.roles }),
    };
  },
  // `roles` is a scope of its own, as at the bank's provider.
  claims: { openid: ['sub'], profile: ['name'], roles: ['roles'] },
  // The claims go in the ID token itself, not only in userinfo.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // The console is a first-party client: no consent screen.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile roles');
    await grant.save();
    return grant;
  },
});

provider.listen(Number(env('PORT')), '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
