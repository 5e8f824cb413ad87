import { createErrorCounter, err, toProblem } from '@bulwark/errors';
import type { BenchSuite } from '../suite.js';

const counter = createErrorCounter();

/** Cost of raising and rendering a typed error, against constructing a bare `Error`. */
export const suite: BenchSuite = {
  name: 'errors',
  description: 'err() + toProblem() + counter.record() versus new Error() (the floor)',
  cases: () => [
    {
      name: 'create',
      subjects: [
        { name: 'new Error (floor)', floor: true, fn: () => new Error('Not Found') },
        { name: "@bulwark/errors err('not_found')", fn: () => err('not_found', { detail: 'no ep_1' }) },
      ],
    },
    {
      name: 'create + render + count',
      subjects: [
        {
          name: 'new Error + JSON.stringify (floor)',
          floor: true,
          fn: () => JSON.stringify({ message: new Error('x').message }),
        },
        {
          name: '@bulwark/errors',
          fn: () => {
            const e = err('not_found', { detail: 'no ep_1' });
            counter.record(e);
            return JSON.stringify(toProblem(e));
          },
        },
      ],
    },
  ],
};
