/** `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-north-1`, … */
const REGION = '[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d{1,2}';
const SNS_HOST = new RegExp(`^sns\\.(${REGION})\\.amazonaws\\.com(\\.cn)?$`);

/** China regions are served from `amazonaws.com.cn`, every other region from `amazonaws.com`. */
function isSnsHost(hostname: string): boolean {
  const match = SNS_HOST.exec(hostname);
  return match !== null && (match[1] as string).startsWith('cn-') === (match[2] !== undefined);
}

/**
 * Whether `url` may serve SNS certificates or subscription confirmations: https, on an
 * `sns.<region>.amazonaws.com` host (`sns.cn-<…>.amazonaws.com.cn` in China) where
 * `<region>` has the shape of an AWS region, no credentials or port.
 *
 * @example
 * ```ts
 * isSnsUrl('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem'); // true
 * ```
 */
export function isSnsUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && isSnsHost(u.hostname) && !u.port && !u.username && !u.password;
  } catch {
    return false;
  }
}
