const digitsOnly = /^[0-9]+$/

/** Whether a digit string passes the Luhn (mod 10) check, its last digit being the check digit. */
export function luhnIsValid(digits: string): boolean {
  if (digits.length < 2 || !digitsOnly.test(digits)) return false
  return luhnSum(digits, false) % 10 === 0
}

/** The Luhn check digit to append to a digit string; '' when the body is empty or not all digits. */
export function luhnCheckDigit(body: string): string {
  if (body.length === 0 || !digitsOnly.test(body)) return ''
  return String((10 - (luhnSum(body, true) % 10)) % 10)
}

/** Sum of the Luhn algorithm; `doubleRightmost` is true when the check digit is not yet appended. */
function luhnSum(digits: string, doubleRightmost: boolean): number {
  let sum = 0
  let double = doubleRightmost
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum
}

/** The remainder of a digit string of any length divided by `modulus`, computed digit by digit (no precision loss). */
export function digitsMod(digits: string, modulus: number): number {
  let remainder = 0
  for (let i = 0; i < digits.length; i++) {
    remainder = (remainder * 10 + (digits.charCodeAt(i) - 48)) % modulus
  }
  return remainder
}

/** The GS1 mod-10 check digit (weights 3 and 1 from the right) to append to a digit string; '' when not all digits. */
export function gs1CheckDigit(body: string): string {
  if (body.length === 0 || !digitsOnly.test(body)) return ''
  let sum = 0
  for (let i = body.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (body.charCodeAt(i) - 48) * weight
  }
  return String((10 - (sum % 10)) % 10)
}

/** Whether a GTIN-8, -12, -13 or -14 has a correct GS1 mod-10 check digit. */
export function gtinIsValid(gtin: string): boolean {
  if (![8, 12, 13, 14].includes(gtin.length) || !digitsOnly.test(gtin)) return false
  return gs1CheckDigit(gtin.slice(0, -1)) === gtin.slice(-1)
}
