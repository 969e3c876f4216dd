import { placeholder } from '../src/index.js';
test('loads', () => expect(placeholder).toBe(1));
