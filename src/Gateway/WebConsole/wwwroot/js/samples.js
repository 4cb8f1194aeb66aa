// Sample events for the preview, shaped as NetBox sends its object changes (the event API's ObjectEvent).

const device = {
  id: 42,
  url: '/api/dcim/devices/42/',
  display: 'sw-core-01',
  name: 'sw-core-01',
  device_type: { id: 7, manufacturer: { id: 2, name: 'Juniper', slug: 'juniper' }, model: 'EX4300-48T', slug: 'ex4300-48t' },
  role: { id: 3, name: 'Core Switch', slug: 'core-switch' },
  site: { id: 1, name: 'DC1', slug: 'dc1' },
  status: { value: 'active', label: 'Active' },
  serial: 'PE3714AF0021',
  primary_ip4: { id: 91, address: '10.0.0.11/24' },
  tags: [{ id: 5, name: 'core', slug: 'core' }],
  custom_fields: { owner: 'network-team' },
};

const planned = { ...device, status: { value: 'planned', label: 'Planned' } };

export const samples = [
  {
    label: 'dcim.device created (NetBox)',
    event: { objectType: 'dcim.device', event: 'created', objectId: '42', username: 'jdoe', requestId: 'b3c1f0d2-5a1e-4f5e-9d1e-2c7f3a9b8e10', data: planned, postchange: planned },
  },
  {
    label: 'dcim.device updated: planned → active (NetBox)',
    event: { objectType: 'dcim.device', event: 'updated', objectId: '42', username: 'jdoe', requestId: '4d2a7c9e-0b8f-4a61-a3c5-9f1e6d2b7a44', data: device, prechange: planned, postchange: device },
  },
  {
    label: 'dcim.device deleted (NetBox)',
    event: { objectType: 'dcim.device', event: 'deleted', objectId: '42', username: 'admin', requestId: '8f0e3b6a-2c4d-4e7f-b1a9-5d6c7e8f9a01', data: device, prechange: device },
  },
  {
    label: 'ipam.ipaddress created (NetBox)',
    event: {
      objectType: 'ipam.ipaddress', event: 'created', objectId: '91', username: 'jdoe',
      data: { id: 91, address: '10.0.0.11/24', status: { value: 'active', label: 'Active' }, dns_name: 'sw-core-01.example.net', tenant: null },
    },
  },
  {
    label: 'inventory.device job_ended (custom event)',
    event: { objectType: 'inventory.device', event: 'job_ended', objectId: 'job-7781', username: 'scheduler', data: { job: 'backup-configs', result: 'completed', duration_s: 42.5 } },
  },
];
