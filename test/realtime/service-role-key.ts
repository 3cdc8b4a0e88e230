/** A service-role-shaped JWT for SUPABASE_SERVICE_ROLE_KEY; the stand-in never verifies signatures. */
export const SERVICE_ROLE_KEY = [
  { alg: 'HS256', typ: 'JWT' },
  { iss: 'supabase', role: 'service_role', iat: 1700000000, exp: 4102444800 },
]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat('stand-in-signature')
  .join('.');
